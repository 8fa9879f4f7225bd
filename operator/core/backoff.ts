// Capped exponential backoff, used per key by the work queue and per informer for restarts.

export interface BackoffOptions {
  /** Delay after the first failure. */
  initialMs: number;
  /** Upper bound for any delay (before jitter). */
  maxMs: number;
  /** Growth per consecutive failure. Default 2. */
  factor?: number;
  /**
   * Fraction of the delay added at random (0 = none, 0.5 = up to +50%), so that many
   * clients failing together do not retry together.
   */
  jitter?: number;
}

/** Delay before retry number `failures` (1 = first failure). */
export function backoffDelay(
  failures: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const factor = options.factor ?? 2;
  const exponent = Math.max(0, failures - 1);
  // Cap the exponent before Math.pow so that a key failing for days cannot overflow to Infinity.
  const raw = options.initialMs * Math.pow(factor, Math.min(exponent, 64));
  const capped = Math.min(options.maxMs, raw);
  const jitter = options.jitter ?? 0;
  return Math.round(capped * (1 + jitter * random()));
}

/** Counts consecutive failures of one thing; `reset` after a success. */
export class Backoff {
  #failures = 0;

  constructor(
    readonly options: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** Records a failure and returns how long to wait before the next attempt. */
  next(): number {
    this.#failures += 1;
    return backoffDelay(this.#failures, this.options, this.random);
  }

  get failures(): number {
    return this.#failures;
  }

  reset(): void {
    this.#failures = 0;
  }
}

/** Counts consecutive failures per key; `forget` resets a key after a success. */
export class KeyedBackoff {
  readonly #failures = new Map<string, number>();

  constructor(
    readonly options: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** Records a failure of `key` and returns how long to wait before retrying it. */
  next(key: string): number {
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    return backoffDelay(failures, this.options, this.random);
  }

  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.#failures.delete(key);
  }
}
