/** Text helpers for messages: what the CLI and the checks show of a long or coloured error. */

/** The first non-empty line of a (possibly multi-line) message, ANSI colours removed. */
export function firstLine(text: string): string {
  const lines = stripAnsi(text)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  return lines[0] ?? "";
}

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}
