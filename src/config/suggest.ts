/** Edit distance (insert, delete, substitute), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[y.length];
}

/**
 * The candidate a mistyped name most likely meant: the nearest by edit distance
 * when it is a typo away (at most 2 edits, and fewer than half the name), else
 * undefined.
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= 2 && bestDistance < name.length / 2
    ? best
    : undefined;
}

/** `; did you mean X?` for a near miss, or "". */
export function didYouMean(name: string, candidates: readonly string[], prefix = ""): string {
  const c = closest(name, candidates);
  return c === undefined ? "" : `; did you mean ${prefix}${c}?`;
}
