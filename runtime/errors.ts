// Every error the runtime raises on purpose, with its HTTP status and a stable code. Routes
// throw these; the error handler (server/error-handler.ts) renders them in the wire format of
// the API the request came in on. Startup errors (config, model, policy) carry no status:
// the CLI prints their one-line message and exits non-zero.

export type ErrorCode =
  | "invalid_request"
  | "not_found"
  | "payload_too_large"
  | "unsupported_media_type"
  | "method_not_allowed"
  | "request_timeout"
  | "headers_too_large"
  | "unauthorized"
  | "forbidden"
  | "rate_limited"
  | "queue_full"
  | "overloaded"
  | "decision_log_unavailable"
  | "model_not_ready"
  | "inference_failed"
  | "internal_error";

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    /** The request field at fault, e.g. `texts[2]` (for 4xx). */
    readonly field?: string,
    /** Seconds a client should wait before retrying (503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidRequestError extends HttpError {
  constructor(message: string, field?: string) {
    super(400, "invalid_request", message, field);
  }
}

export class NotFoundError extends HttpError {
  constructor(message: string) {
    super(404, "not_found", message);
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor(contentType: string) {
    super(
      415,
      "unsupported_media_type",
      `unsupported content type '${contentType}': send the body as JSON with 'content-type: application/json'`,
      "content-type",
    );
  }
}

/** No credentials, or credentials that do not check out (answered with WWW-Authenticate). */
export class UnauthorizedError extends HttpError {
  constructor(message: string) {
    super(401, "unauthorized", message);
  }
}

/** Valid credentials without the right this route needs. */
export class ForbiddenError extends HttpError {
  constructor(message: string) {
    super(403, "forbidden", message);
  }
}

/** The client used up its requests for the current window. */
export class RateLimitedError extends HttpError {
  constructor(limit: number, retryAfterSeconds: number) {
    super(
      429,
      "rate_limited",
      `rate limit of ${limit} requests per minute exceeded; retry in ${retryAfterSeconds} s`,
      undefined,
      retryAfterSeconds,
    );
  }
}

/** Event-loop delay or heap use past its bound: shed this request rather than slow every request. */
export class OverloadedError extends HttpError {
  constructor(reason: string, retryAfterSeconds: number) {
    super(
      503,
      "overloaded",
      `the server is overloaded (${reason}); retry later`,
      undefined,
      retryAfterSeconds,
    );
  }
}

/** The review queue reads Postgres directly; there is no buffer to answer from while it is down. */
export class DecisionLogUnavailableError extends HttpError {
  /** The connection error behind it, for the log (never for the client). */
  constructor(cause?: unknown) {
    super(
      503,
      "decision_log_unavailable",
      "the decision log (Postgres) is unreachable; retry later",
      undefined,
      5,
    );
    if (cause !== undefined) this.cause = cause;
  }
}

/** The batcher's bounded queue is full: shed load instead of queueing without limit. */
export class QueueFullError extends HttpError {
  constructor(capacity: number) {
    super(503, "queue_full", `inference queue is full (${capacity} items); retry later`, undefined, 1);
  }
}

export class ModelNotReadyError extends HttpError {
  constructor(reason = "the model is still loading") {
    super(503, "model_not_ready", reason, undefined, 2);
  }
}

export class InferenceError extends HttpError {
  constructor(message: string) {
    super(500, "inference_failed", message);
  }
}

/** Invalid environment or flags; the message names the variable and the accepted values. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** A model directory that cannot be served; the message says which file or tensor is wrong. */
export class ModelLoadError extends Error {
  override name = "ModelLoadError";
}

/** A Policy file that does not parse or does not satisfy the Policy CRD schema and rules. */
export class PolicyFileError extends Error {
  override name = "PolicyFileError";
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}
