// Fault injection a test switches on: fail the next N matching requests with a Status
// (500, 429 with Retry-After, 409, ...), slow requests down, and drop or stall watch streams.
import { ApiError, conflict, internalError, STALE_OBJECT_MESSAGE, tooManyRequests } from "./errors.js";
import type { RecordedRequest } from "./types.js";

/** Decides whether a fault applies to a request (status is 0: not answered yet). */
export type RequestMatcher = (req: RecordedRequest) => boolean;

export interface FailNextOptions {
  status: 500 | 429 | 409 | 503 | 504;
  retryAfterSeconds?: number;
  match?: RequestMatcher;
}

interface PendingFailure {
  remaining: number;
  opts: FailNextOptions;
}

interface Latency {
  ms: number;
  match: RequestMatcher;
}

/** What the watch hub exposes to the injector. */
export interface WatchControl {
  drop(match: RequestMatcher): number;
  stall(match: RequestMatcher): number;
}

const always: RequestMatcher = () => true;

export class FaultInjector {
  private failures: PendingFailure[] = [];
  private latencies: Latency[] = [];
  private stallMatchers: RequestMatcher[] = [];

  constructor(private readonly watches: WatchControl) {}

  /** The next `n` matching requests fail with `status` instead of being served. */
  failNext(n: number, opts: FailNextOptions): void {
    if (!Number.isInteger(n) || n < 1) throw new Error(`failNext: n must be a positive integer, got ${n}`);
    this.failures.push({ remaining: n, opts });
  }

  /** Every matching request waits `ms` before it is served (until clear()). */
  addLatency(ms: number, match: RequestMatcher = always): void {
    this.latencies.push({ ms, match });
  }

  /** Ends the matching open watch streams now; returns how many. */
  dropWatches(match: RequestMatcher = always): number {
    return this.watches.drop(match);
  }

  /**
   * Matching watch streams, open now or opened until clear(), stay connected but deliver
   * nothing more (no events, bookmarks or end), like a black-holed connection.
   */
  stallWatches(match: RequestMatcher = always): number {
    this.stallMatchers.push(match);
    return this.watches.stall(match);
  }

  /** Removes pending failures, latencies and stalls for new watches; streams already stalled stay stalled. */
  clear(): void {
    this.failures = [];
    this.latencies = [];
    this.stallMatchers = [];
  }

  /** @internal The delay for a request. */
  latencyFor(req: RecordedRequest): number {
    return this.latencies.filter((l) => l.match(req)).reduce((sum, l) => sum + l.ms, 0);
  }

  /** @internal Whether a new watch starts stalled. */
  stallsNewWatch(req: RecordedRequest): boolean {
    return this.stallMatchers.some((m) => m(req));
  }

  /** @internal The injected failure for a request, consuming one from the first matching rule. */
  failureFor(req: RecordedRequest): ApiError | undefined {
    const f = this.failures.find((x) => x.remaining > 0 && (x.opts.match ?? always)(req));
    if (!f) return undefined;
    f.remaining -= 1;
    this.failures = this.failures.filter((x) => x.remaining > 0);
    const err = injectedError(f.opts.status, req, f.opts.retryAfterSeconds);
    if (f.opts.retryAfterSeconds !== undefined) err.headers["Retry-After"] = String(f.opts.retryAfterSeconds);
    return err;
  }
}

function injectedError(
  status: FailNextOptions["status"],
  req: RecordedRequest,
  retryAfterSeconds?: number,
): ApiError {
  switch (status) {
    case 429:
      return tooManyRequests(retryAfterSeconds ?? 1);
    case 409:
      return conflict(req.resource ?? "", req.group ?? "", req.name ?? "", STALE_OBJECT_MESSAGE);
    case 503:
      return new ApiError(503, "ServiceUnavailable", "the server is currently unable to handle the request");
    case 504:
      return new ApiError(504, "Timeout", "the server was unable to return a response in the time allotted");
    default:
      return internalError("injected fault");
  }
}
