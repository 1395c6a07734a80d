import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** `.<file>.<pid>.<8 hex>.tmp`: the temporary file of one write, next to its target. */
function tempName(file: string, pid: number): string {
  return `.${path.basename(file)}.${pid}.${randomBytes(4).toString("hex")}.tmp`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes temporary files of `file` left by writers that died mid-write (killed
 * between creating the temporary file and renaming it). A writer that is still
 * running is left alone. Returns the names removed.
 */
export function removeStaleTempFiles(file: string): string[] {
  const dir = path.dirname(file);
  const pattern = new RegExp(
    `^\\.${escapeRegExp(path.basename(file))}\\.(\\d+)\\.[0-9a-f]{8}\\.tmp$`,
  );
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const m = pattern.exec(entry);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    fs.rmSync(path.join(dir, entry), { force: true });
    removed.push(entry);
  }
  return removed;
}

/**
 * Writes a file atomically: the text goes to a temporary file in the same
 * directory, is flushed to disk, and is renamed over the target (then the
 * directory is flushed too), so a reader — or a process that was killed
 * mid-write — sees the old file or the new one, never half of one. Temporary
 * files that killed writers left behind are removed first.
 */
export function writeFileAtomic(file: string, text: string, mode = 0o644): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  removeStaleTempFiles(file);
  const tmp = path.join(dir, tempName(file, process.pid));
  const fd = fs.openSync(tmp, "wx", mode);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  syncDirectory(dir);
}

/** Flushes a directory entry change (the rename) to disk; best effort where unsupported. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // Some platforms and file systems cannot fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
