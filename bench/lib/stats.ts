/** Median, min and max of a handful of samples, and how the bench prints them. */

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) return { n: 0, median: NaN, min: NaN, max: NaN };
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { n: s.length, median, min: s[0], max: s[s.length - 1] };
}

/** `1.23 s (1.10–1.40, n=5)` for milliseconds. */
export function fmtSeconds(s: Summary): string {
  if (s.n === 0) return "—";
  const f = (ms: number): string => (ms / 1000).toFixed(2);
  return `${f(s.median)} s (${f(s.min)}–${f(s.max)}, n=${s.n})`;
}

/** KiB (what RSS counters report) to MB (10^6 bytes, the unit of the targets). */
export function kibToMB(kib: number): number {
  return (kib * 1024) / 1e6;
}

/** `123 MB (120–125)` for KiB. */
export function fmtMB(s: Summary): string {
  if (s.n === 0 || !Number.isFinite(s.median)) return "—";
  const f = (kib: number): string => kibToMB(kib).toFixed(0);
  return `${f(s.median)} MB (${f(s.min)}–${f(s.max)})`;
}

/** A markdown table. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

/**
 * Growth from 1 to 10 to 100 stores: the cost of one more store on each leg
 * and their ratio (about 1 when growth is linear, well above 1 when each store
 * costs more the more there are).
 */
export function growth(
  at1: number,
  at10: number,
  at100: number,
): { perStoreLow: number; perStoreHigh: number; ratio: number } {
  const perStoreLow = (at10 - at1) / 9;
  const perStoreHigh = (at100 - at10) / 90;
  return { perStoreLow, perStoreHigh, ratio: perStoreHigh / perStoreLow };
}
