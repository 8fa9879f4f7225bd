// One place that turns errors into responses. Each route declares the wire format its clients
// expect (`config.apiFormat`): the native API answers {error: {code, message, field?}}, the
// OpenAI-compatible route OpenAI's {error: {message, type, param, code}}, and the OIP v2 routes
// {error: "..."}. Schema failures become 400s naming the failing field; unexpected errors are
// logged with their stack and answered with a generic 500, never with the stack.
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchemaValidationError,
} from "fastify";
import fp from "fastify-plugin";
import { HttpError, type ErrorCode } from "../errors.js";
import { closeAfterDraining } from "./lingering-close.js";
import { RouteMethods } from "./route-methods.js";

export type ApiFormat = "vigil" | "openai" | "oip";

declare module "fastify" {
  interface FastifyContextConfig {
    apiFormat?: ApiFormat;
  }
}

interface Rendered {
  status: number;
  code: ErrorCode;
  message: string;
  field: string | undefined;
  retryAfterSeconds: number | undefined;
}

/** `/texts/2` -> `texts[2]`; a missing property is reported at its own path. */
export function fieldOf(error: FastifySchemaValidationError): string {
  const segments = error.instancePath
    .split("/")
    .filter(Boolean)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  const missing =
    error.keyword === "required" ? (error.params.missingProperty as string | undefined) : undefined;
  const extra =
    error.keyword === "additionalProperties"
      ? (error.params.additionalProperty as string | undefined)
      : undefined;
  if (missing ?? extra) segments.push((missing ?? extra)!);
  return segments.reduce((path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : path ? `${path}.${s}` : s), "");
}

function describeValidation(error: FastifySchemaValidationError, field: string): string {
  if (error.keyword === "required") return `${field}: is required`;
  if (error.keyword === "additionalProperties") return `${field}: is not a known field`;
  if (error.keyword === "anyOf")
    return `${field || "body"}: has none of the accepted forms (see /openapi.json)`;
  if (error.keyword === "enum") {
    const allowed = (error.params.allowedValues as unknown[] | undefined)
      ?.map((v) => JSON.stringify(v))
      .join(", ");
    return `${field || "body"}: must be one of ${allowed}`;
  }
  return `${field || "body"}: ${error.message ?? error.keyword}`;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  404: "not_found",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
};

function render(error: FastifyError | HttpError | Error): Rendered {
  if (error instanceof HttpError) {
    return {
      status: error.statusCode,
      code: error.code,
      message: error.message,
      field: error.field,
      retryAfterSeconds: error.retryAfterSeconds,
    };
  }
  const fastifyError = error as FastifyError;
  // For a union (anyOf) ajv lists each branch's failure first; the outermost union's own error
  // says more than the first branch's.
  const unions = (fastifyError.validation ?? []).filter((e) => e.keyword === "anyOf");
  const outermostUnion = unions.sort((a, b) => a.instancePath.length - b.instancePath.length)[0];
  const first = outermostUnion ?? fastifyError.validation?.[0];
  if (first) {
    const field = fieldOf(first);
    return {
      status: 400,
      code: "invalid_request",
      message: describeValidation(first, field),
      field: field || undefined,
      retryAfterSeconds: undefined,
    };
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return {
      status,
      code: CODE_BY_STATUS[status] ?? "invalid_request",
      message:
        status === 415
          ? "unsupported content type: send the body as JSON with 'content-type: application/json'"
          : fastifyError.message,
      field: undefined,
      retryAfterSeconds: undefined,
    };
  }
  return {
    status: 500,
    code: "internal_error",
    message: "internal error; see the server log",
    field: undefined,
    retryAfterSeconds: undefined,
  };
}

/** The error body of each API's wire format. */
export function errorBody(
  format: ApiFormat,
  r: Pick<Rendered, "status" | "code" | "message" | "field">,
): unknown {
  switch (format) {
    case "oip":
      return { error: r.message };
    case "openai":
      return {
        error: {
          message: r.message,
          type: r.status >= 500 ? "server_error" : "invalid_request_error",
          param: r.field ?? null,
          code: r.code,
        },
      };
    default:
      return { error: { code: r.code, message: r.message, ...(r.field ? { field: r.field } : {}) } };
  }
}

function formatFor(request: FastifyRequest): ApiFormat {
  return request.routeOptions.config?.apiFormat ?? (request.url.startsWith("/v2") ? "oip" : "vigil");
}

function send(request: FastifyRequest, reply: FastifyReply, rendered: Rendered): FastifyReply {
  if (rendered.retryAfterSeconds !== undefined)
    reply.header("retry-after", String(rendered.retryAfterSeconds));
  if (rendered.status === 401) reply.header("www-authenticate", 'Bearer realm="vigil"');
  if (rendered.status === 413) {
    // The rest of an oversized body is not worth reading into the next request.
    reply.header("connection", "close");
    closeAfterDraining(request.raw);
  }
  return reply
    .code(rendered.status)
    .type("application/json")
    .send(errorBody(formatFor(request), rendered));
}

export const errorHandlerPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const rendered = render(error);
      if (rendered.status >= 500 && !(error instanceof HttpError)) {
        request.log.error({ err: error }, "unhandled error");
      } else if (rendered.status >= 500) {
        // A deliberate 5xx (an outage, shedding) keeps its cause in the log.
        request.log.warn(
          { code: rendered.code, ...(error.cause !== undefined && { err: error.cause }) },
          rendered.message,
        );
      }
      return send(request, reply, rendered);
    });
    const routes = new RouteMethods();
    app.addHook("onRoute", (route) => routes.add(route.method, route.url));
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split("?")[0] ?? "";
      const allowed = routes.allowed(path);
      if (allowed.length > 0) {
        reply.header("allow", allowed.join(", "));
        return send(request, reply, {
          status: 405,
          code: "method_not_allowed",
          message: `${request.method} is not allowed on ${path}; allowed: ${allowed.join(", ")}`,
          field: undefined,
          retryAfterSeconds: undefined,
        });
      }
      return send(request, reply, {
        status: 404,
        code: "not_found",
        message: `no route for ${request.method} ${path}`,
        field: undefined,
        retryAfterSeconds: undefined,
      });
    });
  },
  { name: "vigil-errors" },
);
