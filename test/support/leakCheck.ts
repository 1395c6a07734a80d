/**
 * Secret-leak check for the tier tests. A test registers every secret value it
 * minted or was given (access keys' secrets, service-account private keys,
 * client secrets, SAS signatures, ZenML API keys, passphrases), then everything
 * the run produced that a person or another program could read:
 * - text: what the tests printed or captured (CLI stdout/stderr, outcomes,
 *   subprocess output, this process's own stdout/stderr and console);
 * - logs: the harness services' log files (ZenML server, moto, GCS emulator,
 *   Azurite), read when the check runs, so it must run before they stop;
 * - files: every file under the project and temporary directories the test
 *   wrote to.
 * A secret may appear in exactly two kinds of place: files the test declares
 * with `allowFile` (0600 files the user asked for; their mode is checked), and
 * nowhere else. In particular a plaintext secret is never allowed in
 * `stacks/*.yaml`: the stack config holds only `secure:` ciphertext and the
 * ZenML stack document only references. Places a secret is meant to live that
 * are not files of the run — the ZenML server's secrets store, Pulumi state
 * (faked here), the emulators' own storage — are not scanned.
 *
 * Each secret is searched in the forms it could take on the way out: as is,
 * JSON-escaped, URL-encoded, base64-encoded, and (for multi-line values such as
 * PEM keys) line by line. Findings name the secret's label and the place, never
 * the value.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";

export interface LeakFinding {
  /** The secret's label (never its value). */
  readonly secret: string;
  /** Where it was found: `text:<name>`, `log:<path>`, `file:<path>`. */
  readonly where: string;
  /** In which form: `plain`, `json`, `url`, `base64`, `pem-line`. */
  readonly form: string;
}

export interface LeakScan {
  readonly secrets: number;
  /** Search strings derived from the secrets (all forms). */
  readonly needles: number;
  readonly texts: number;
  readonly logs: number;
  readonly files: number;
  /** Declared 0600 files, skipped after their mode was checked. */
  readonly allowed: number;
  readonly bytes: number;
  readonly findings: readonly LeakFinding[];
  /**
   * Secrets found where the test declared them expected (`expect` of `log`/`logNow`),
   * with the reason; reported, not failed.
   */
  readonly expected: readonly (LeakFinding & { readonly reason: string })[];
}

/**
 * A secret a service's own log is expected to hold, e.g. a storage emulator
 * logging request URLs that carry a SAS. `secrets` matches the secrets' labels.
 */
export interface ExpectedInLog {
  readonly secrets: RegExp;
  readonly reason: string;
}

interface Needle {
  readonly label: string;
  readonly form: string;
  readonly value: string;
}

/**
 * Azurite logs every request URL. A SAS is a query string by design, so its
 * signature lands in that log; Azure's own storage logs redact `sig=`, Azurite
 * does not. Declared for the Azurite log only, and only for SAS signatures.
 */
export const AZURITE_LOGS_SAS_URLS: ExpectedInLog = {
  secrets: /SAS signature/,
  reason:
    "Azurite's request log holds the request URLs, and a SAS travels in the URL by design (Azure's storage logs redact sig=)",
};

/** Shortest secret accepted: shorter values would match by chance. */
export const MIN_SECRET_LENGTH = 8;

export class LeakCheck {
  private readonly secretValues = new Map<string, string>();
  private readonly texts: { name: string; text: () => string }[] = [];
  private readonly snapshots: { file: string; content: string; mode: number }[] = [];
  private readonly logFiles = new Map<string, ExpectedInLog | undefined>();
  private readonly logSnapshots: { file: string; text?: string; expect?: ExpectedInLog }[] = [];
  private readonly dirs = new Set<string>();
  private readonly allowedFiles = new Set<string>();
  private restoreCapture?: () => void;

  /** A secret value to look for; `label` names it in findings. */
  secret(label: string, value: string | undefined): this {
    if (typeof value !== "string" || value.length < MIN_SECRET_LENGTH) {
      throw new Error(
        `leak check: secret ${label} is missing or shorter than ${MIN_SECRET_LENGTH} characters`,
      );
    }
    this.secretValues.set(value, label);
    return this;
  }

  /** Every value of a credentials map whose field name says it is secret. */
  credentials(label: string, values: Readonly<Record<string, string>> | undefined): this {
    for (const [field, value] of Object.entries(values ?? {})) {
      if (/_id$/i.test(field)) continue;
      if (/secret|password|private|token|sas|connection_string|json|key$/i.test(field)) {
        this.secret(`${label}.${field}`, value);
      }
      const privateKey = privateKeyOf(value);
      if (privateKey) this.secret(`${label}.${field}.private_key`, privateKey);
    }
    return this;
  }

  /**
   * Text the run produced (output of a command, a response, a transcript). An
   * array or a function is read when the check runs, so a transcript that is
   * still growing can be registered early.
   */
  text(name: string, text: string | readonly string[] | (() => string) | undefined): this {
    const read =
      typeof text === "function"
        ? text
        : Array.isArray(text)
          ? () => (text as readonly string[]).join("\n")
          : () => (text as string | undefined) ?? "";
    this.texts.push({ name, text: read });
    return this;
  }

  /**
   * A service log file, read when the check runs. `expect` declares secrets this
   * service's own log holds by design (reported, not failed); use it sparingly.
   */
  log(file: string | undefined, expect?: ExpectedInLog): this {
    if (file) this.logFiles.set(file, expect);
    return this;
  }

  /** A service log file read now, for a service whose stop() deletes its log. */
  logNow(file: string, expect?: ExpectedInLog): this {
    const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    this.logSnapshots.push({ file, text, expect });
    return this;
  }

  /** A directory whose files are all scanned (recursively) when the check runs. */
  dir(dir: string | undefined): this {
    if (dir) this.dirs.add(path.resolve(dir));
    return this;
  }

  /** Reads the files under `dir` now, for a directory the test removes before the check runs. */
  dirNow(dir: string): this {
    const walk = (d: string): void => {
      if (!fs.existsSync(d)) return;
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) {
          this.snapshots.push({
            file: p,
            content: fs.readFileSync(p).toString("utf8"),
            mode: fs.statSync(p).mode & 0o777,
          });
        }
      }
    };
    walk(path.resolve(dir));
    return this;
  }

  /** A file meant to hold a secret; it must be mode 0600 and is not scanned. */
  allowFile(file: string): this {
    this.allowedFiles.add(path.resolve(file));
    return this;
  }

  /**
   * Records this process's stdout, stderr and console output from now on (still
   * printed as usual). Stop with `stopCapture()`; `scan()` stops it too.
   */
  captureOutput(): this {
    if (this.restoreCapture) return this;
    const captured = { text: "" };
    this.texts.push({ name: "process output", text: () => captured.text });
    const record = (chunk: unknown): void => {
      captured.text +=
        typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString();
      captured.text += "\n";
    };
    const restore: (() => void)[] = [];
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write;
      stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
        record(chunk);
        return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
      } as typeof stream.write;
      restore.push(() => (stream.write = original));
    }
    const methods = ["log", "info", "warn", "error", "debug"] as const;
    for (const m of methods) {
      const original = console[m];
      console[m] = (...args: unknown[]) => {
        record(args.map((a) => (typeof a === "string" ? a : safeJson(a))).join(" "));
        original.apply(console, args);
      };
      restore.push(() => (console[m] = original));
    }
    this.restoreCapture = () => restore.forEach((r) => r());
    return this;
  }

  stopCapture(): void {
    this.restoreCapture?.();
    this.restoreCapture = undefined;
  }

  private needles(): Needle[] {
    const out: Needle[] = [];
    for (const [value, label] of this.secretValues) {
      const forms: [string, string][] = [
        ["plain", value],
        ["json", JSON.stringify(value).slice(1, -1)],
        ["url", encodeURIComponent(value)],
        ["base64", Buffer.from(value).toString("base64")],
      ];
      if (value.includes("\n")) {
        for (const line of value.split(/\r?\n/)) {
          if (line.trim().length >= 40) forms.push(["pem-line", line.trim()]);
        }
      }
      const seen = new Set<string>();
      for (const [form, v] of forms) {
        if (seen.has(v)) continue;
        seen.add(v);
        out.push({ label, form, value: v });
      }
    }
    return out;
  }

  /** Scans everything collected; never throws for a finding (see `expectNoLeaks`). */
  scan(): LeakScan {
    this.stopCapture();
    const needles = this.needles();
    const findings: LeakFinding[] = [];
    const expected: (LeakFinding & { reason: string })[] = [];
    let bytes = 0;
    const search = (where: string, text: string, allowed?: ExpectedInLog): void => {
      bytes += Buffer.byteLength(text);
      for (const n of needles) {
        if (!text.includes(n.value)) continue;
        const finding = { secret: n.label, where, form: n.form };
        if (allowed?.secrets.test(n.label)) expected.push({ ...finding, reason: allowed.reason });
        else findings.push(finding);
      }
    };
    for (const t of this.texts) search(`text:${t.name}`, t.text());
    const logs = [
      ...[...this.logFiles].map(([file, expect]) => ({
        file,
        expect,
        text: fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined,
      })),
      ...this.logSnapshots,
    ];
    for (const log of logs) {
      if (log.text === undefined) {
        findings.push({ secret: "(none)", where: `log:${log.file}`, form: "log file missing" });
      } else search(`log:${log.file}`, log.text, log.expect);
    }
    let files = 0;
    let allowed = 0;
    const scanFile = (p: string, content: () => string, mode: number): void => {
      const isStackFile = /(^|\/)stacks\/[^/]+\.ya?ml$/.test(p);
      if (this.allowedFiles.has(p) && !isStackFile) {
        allowed++;
        if (mode !== 0o600) {
          findings.push({
            secret: "(any)",
            where: `file:${p}`,
            form: `mode ${mode.toString(8)}, not 600`,
          });
        }
        return;
      }
      files++;
      search(`file:${p}`, content());
    };
    const walk = (dir: string): void => {
      if (!fs.existsSync(dir)) return;
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) {
          scanFile(p, () => fs.readFileSync(p).toString("utf8"), fs.statSync(p).mode & 0o777);
        }
      }
    };
    for (const dir of this.dirs) walk(dir);
    for (const snap of this.snapshots) scanFile(snap.file, () => snap.content, snap.mode);
    return {
      secrets: this.secretValues.size,
      needles: needles.length,
      texts: this.texts.length,
      logs: this.logFiles.size + this.logSnapshots.length,
      files,
      allowed,
      bytes,
      findings,
      expected,
    };
  }
}

/** The `private_key` of a service-account key file (JSON, or base64 of it), if it is one. */
function privateKeyOf(value: string): string | undefined {
  for (const text of [value, Buffer.from(value, "base64").toString("utf8")]) {
    try {
      const key = (JSON.parse(text) as { private_key?: unknown }).private_key;
      if (typeof key === "string") return key;
    } catch {
      // not JSON
    }
  }
  return undefined;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Runs the scan and fails on any finding; also fails when the scan looked at
 * nothing (no secrets, or none of the places `expected` asks for). Prints what
 * it scanned, one line.
 */
export function expectNoLeaks(
  check: LeakCheck,
  expected: { texts?: number; logs?: number; files?: number } = {},
): LeakScan {
  const scan = check.scan();
  console.log(
    `leak check: ${scan.secrets} secrets (${scan.needles} search forms) in ${scan.texts} texts, ` +
      `${scan.logs} service logs, ${scan.files} files (${scan.allowed} allowed 0600 files), ` +
      `${scan.bytes} bytes: ${scan.findings.length} leaks` +
      (scan.expected.length > 0 ? `, ${scan.expected.length} expected (listed below)` : ""),
  );
  for (const e of scan.expected) {
    console.log(`leak check: expected: ${e.secret} in ${e.where} (${e.form}): ${e.reason}`);
  }
  expect(scan.findings).toEqual([]);
  expect(scan.secrets).toBeGreaterThan(0);
  expect(scan.bytes).toBeGreaterThan(0);
  expect(scan.texts).toBeGreaterThanOrEqual(expected.texts ?? 1);
  expect(scan.logs).toBeGreaterThanOrEqual(expected.logs ?? 0);
  expect(scan.files).toBeGreaterThanOrEqual(expected.files ?? 0);
  return scan;
}
