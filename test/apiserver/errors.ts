// The apiserver's error vocabulary: every failure leaves the emulator as a `kind: Status`
// object with the code and reason a real kube-apiserver would use.

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure";
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

/** What a handler throws to answer with a Status. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  toStatus(): Status {
    const status: Status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** `deployments.apps` or `configmaps`, as the apiserver prints a group resource. */
export function groupResource(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export function notFound(resource: string, group: string, name: string): ApiError {
  return new ApiError(404, "NotFound", `${groupResource(resource, group)} "${name}" not found`, {
    name,
    group,
    kind: resource,
  });
}

export function alreadyExists(resource: string, group: string, name: string): ApiError {
  return new ApiError(409, "AlreadyExists", `${groupResource(resource, group)} "${name}" already exists`, {
    name,
    group,
    kind: resource,
  });
}

export function conflict(resource: string, group: string, name: string, why: string): ApiError {
  return new ApiError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${groupResource(resource, group)} "${name}": ${why}`,
    { name, group, kind: resource },
  );
}

export const STALE_OBJECT_MESSAGE =
  "the object has been modified; please apply your changes to the latest version and try again";

/** 422 with one cause per field error, message formatted like `<Kind>.<group> "<name>" is invalid: ...`. */
export function invalid(
  kind: string,
  group: string,
  name: string,
  causes: { field: string; message: string; reason: string }[],
): ApiError {
  const qualified = group ? `${kind}.${group}` : kind;
  const summary = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const joined = summary.length === 1 ? summary[0]! : `[${summary.join(", ")}]`;
  return new ApiError(422, "Invalid", `${qualified} "${name}" is invalid: ${joined}`, {
    name,
    group,
    kind,
    causes: causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field })),
  });
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, "BadRequest", message);
}

export function methodNotAllowed(
  message = "the server does not allow this method on the requested resource",
): ApiError {
  return new ApiError(405, "MethodNotAllowed", message);
}

/** A content type no route of the path consumes (go-restful's 415, before any handler runs). */
export function unsupportedRouteMediaType(): ApiError {
  return new ApiError(415, "UnsupportedMediaType", "415: Unsupported Media Type");
}

export function unsupportedMediaType(contentType: string, accepted: string[]): ApiError {
  return new ApiError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
    { causes: [{ reason: "UnexpectedServerResponse", message: contentType }] },
  );
}

export function gone(message: string): ApiError {
  return new ApiError(410, "Gone", message);
}

export function expired(message: string): ApiError {
  return new ApiError(410, "Expired", message);
}

export function forbidden(resource: string, group: string, name: string, why: string): ApiError {
  const target = name ? `${groupResource(resource, group)} "${name}"` : groupResource(resource, group);
  return new ApiError(403, "Forbidden", `${target} is forbidden: ${why}`, { name, group, kind: resource });
}

export function tooManyRequests(retryAfterSeconds: number | undefined): ApiError {
  return new ApiError(
    429,
    "TooManyRequests",
    "Too many requests, please try again later.",
    retryAfterSeconds === undefined ? undefined : { retryAfterSeconds },
    retryAfterSeconds === undefined ? {} : { "Retry-After": String(retryAfterSeconds) },
  );
}

export function internalError(message: string): ApiError {
  return new ApiError(500, "InternalError", `Internal error occurred: ${message}`, {
    causes: [{ message }],
  });
}

/** Any thrown value as an ApiError; unexpected exceptions become 500s instead of killing the server. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return internalError(err instanceof Error ? err.message : String(err));
}

/**
 * A path the server does not serve (unknown group, version, resource or subresource). No route
 * matches it, so kube-apiserver's not-found handler answers Go's plain-text "404 page not
 * found", not a Status.
 */
export class NoRouteError extends ApiError {
  constructor() {
    super(404, "NotFound", "404 page not found");
  }
}

export function noSuchResource(): ApiError {
  return new NoRouteError();
}
