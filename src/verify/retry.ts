export interface RetryOptions {
  /** Stop retrying once this much time has passed since the first attempt. */
  readonly timeoutMs: number;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  /** Called before each wait with the attempt that failed and its error. */
  readonly onRetry?: (attempt: number, err: unknown, delayMs: number) => void;
}

/** The delay before attempt `n + 1` (n >= 1): initial * 2^(n-1), capped. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** (attempt - 1));
}

/**
 * Runs `fn` until it succeeds or the time bound is spent, waiting with
 * exponential backoff between attempts. Rejects with the last error, after
 * `attempts` tries (reported through `RetryError`).
 */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  opts: RetryOptions,
): Promise<{ value: T; attempts: number }> {
  const start = opts.now();
  const initial = opts.initialDelayMs ?? 1000;
  const max = opts.maxDelayMs ?? 15_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(attempt), attempts: attempt };
    } catch (err) {
      const elapsed = opts.now() - start;
      const delay = Math.min(backoffDelay(attempt, initial, max), opts.timeoutMs - elapsed);
      if (delay <= 0) throw new RetryError(err, attempt);
      opts.onRetry?.(attempt, err, delay);
      await opts.sleep(delay);
    }
  }
}

export class RetryError extends Error {
  constructor(
    readonly last: unknown,
    readonly attempts: number,
  ) {
    super((last as Error)?.message ?? String(last));
    this.name = "RetryError";
  }
}
