// Many informers fail for one reason when the API server is unreachable (a refused
// connection, a TLS error, a 401). Logging every informer's every retry buries that reason in
// identical lines; this logs each cause once, then again only with backoff (with how often it
// recurred), and once more when the API answers again.
import type { Logger } from "pino";
import { ApiError } from "./errors.js";
import { systemClock, type Clock } from "./clock.js";

export interface FailureLogOptions {
  log: Logger;
  clock?: Clock;
  /** First repeat of an unchanged cause after this long; doubles up to maxRepeatMs. Default 60 s. */
  initialRepeatMs?: number;
  /** Default 30 min. */
  maxRepeatMs?: number;
}

interface Ongoing {
  count: number;
  since: number;
  nextLogAt: number;
  repeatMs: number;
}

export class FailureLog {
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #initialRepeatMs: number;
  readonly #maxRepeatMs: number;
  readonly #ongoing = new Map<string, Ongoing>();

  constructor(options: FailureLogOptions) {
    this.#log = options.log;
    this.#clock = options.clock ?? systemClock;
    this.#initialRepeatMs = options.initialRepeatMs ?? 60_000;
    this.#maxRepeatMs = options.maxRepeatMs ?? 30 * 60_000;
  }

  /** Records a failed API call; logs it when its cause is new or its repeat is due. */
  failed(err: unknown, context: Record<string, unknown> = {}): void {
    const cause = failureCause(err);
    const now = this.#clock.now();
    const ongoing = this.#ongoing.get(cause);
    if (!ongoing) {
      this.#ongoing.set(cause, {
        count: 1,
        since: now,
        nextLogAt: now + this.#initialRepeatMs,
        repeatMs: this.#initialRepeatMs,
      });
      this.#log.warn({ ...context, cause }, `Kubernetes API unavailable: ${cause}`);
      return;
    }
    ongoing.count += 1;
    if (now < ongoing.nextLogAt) return;
    this.#log.warn(
      { cause, failures: ongoing.count, sinceMs: now - ongoing.since },
      `Kubernetes API still unavailable: ${cause}`,
    );
    ongoing.repeatMs = Math.min(ongoing.repeatMs * 2, this.#maxRepeatMs);
    ongoing.nextLogAt = now + ongoing.repeatMs;
  }

  /** An API call succeeded: ends every ongoing cause, saying so once. */
  succeeded(): void {
    if (this.#ongoing.size === 0) return;
    const now = this.#clock.now();
    const causes = [...this.#ongoing].map(([cause, o]) => ({
      cause,
      failures: o.count,
      sinceMs: now - o.since,
    }));
    this.#ongoing.clear();
    this.#log.info({ causes }, "Kubernetes API available again");
  }

  /** The causes failing now, for readiness details. */
  current(): string[] {
    return [...this.#ongoing.keys()];
  }
}

/**
 * What went wrong, without the request it happened to (so every informer's failure for one
 * reason has one key): the network or TLS error for no response, else the HTTP status.
 */
export function failureCause(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.statusCode === 0) return `no response (${describe(err.cause)})`;
    return `HTTP ${err.statusCode}${err.reason ? ` ${err.reason}` : ""}${err.status?.message ? `: ${err.status.message}` : ""}`;
  }
  return describe(err);
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const message = err.message || err.name;
  return typeof code === "string" && !message.includes(code) ? `${code}: ${message}` : message;
}
