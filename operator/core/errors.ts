// One error type for every failed Kubernetes API call, carrying the apiserver's Status.

export interface KubeStatus {
  kind?: "Status";
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; retryAfterSeconds?: number; causes?: unknown[] };
}

export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    /** HTTP status, or 0 when the request got no response. */
    readonly statusCode: number,
    readonly verb: string,
    readonly path: string,
    readonly status?: KubeStatus,
    options?: { cause?: unknown },
  ) {
    const outcome = statusCode
      ? `${statusCode}${status?.reason ? ` ${status.reason}` : ""}${status?.message ? `: ${status.message}` : ""}`
      : `no response${options?.cause instanceof Error ? ` (${options.cause.message})` : ""}`;
    super(`${verb} ${path}: ${outcome}`, options);
  }

  get reason(): string | undefined {
    return this.status?.reason;
  }

  /** Seconds the server asked us to wait (429/503 Retry-After or Status details). */
  get retryAfterSeconds(): number | undefined {
    return this.status?.details?.retryAfterSeconds;
  }
}

export const isNotFound = (err: unknown): boolean => err instanceof ApiError && err.statusCode === 404;
export const isConflict = (err: unknown): boolean =>
  err instanceof ApiError && err.statusCode === 409 && err.reason !== "AlreadyExists";
export const isAlreadyExists = (err: unknown): boolean =>
  err instanceof ApiError && err.statusCode === 409 && err.reason === "AlreadyExists";
export const isGone = (err: unknown): boolean => err instanceof ApiError && err.statusCode === 410;

/** One line for logs: the message of an Error, or the value itself. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
