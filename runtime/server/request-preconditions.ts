// What every request must satisfy before routing. HTTP/1.1 requires a Host header (Node's own
// check answers an empty 400, so ours answers in the documented format). The APIs take UTF-8
// JSON, uncompressed: a body that says it is gzip-compressed or in another
// charset would otherwise be parsed as if it were plain UTF-8 and answered with a confident
// 200 about bytes the client did not mean: refuse it with 415 and say what to send instead.
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { HttpError, InvalidRequestError } from "../errors.js";

const ACCEPTED_CHARSETS = new Set(["utf-8", "utf8", "us-ascii"]);

function charsetOf(contentType: string): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return match?.[1]?.toLowerCase();
}

export class UnsupportedEncodingError extends HttpError {
  constructor(message: string, header: string) {
    super(415, "unsupported_media_type", message, header);
  }
}

/** Why a request cannot be served as sent, or undefined when it can. */
function preconditionFailure(request: FastifyRequest): HttpError | undefined {
  if (request.raw.httpVersion === "1.1" && !request.headers.host) {
    return new InvalidRequestError("the Host header is required in HTTP/1.1", "host");
  }
  const encoding = request.headers["content-encoding"]?.trim().toLowerCase();
  if (encoding && encoding !== "identity") {
    return new UnsupportedEncodingError(
      `content-encoding '${encoding}' is not supported: send the body uncompressed`,
      "content-encoding",
    );
  }
  const contentType = request.headers["content-type"];
  const charset = contentType ? charsetOf(contentType) : undefined;
  if (charset !== undefined && !ACCEPTED_CHARSETS.has(charset)) {
    return new UnsupportedEncodingError(
      `charset '${charset}' is not supported: send the body as UTF-8`,
      "content-type",
    );
  }
  return undefined;
}

export const requestPreconditionsPlugin = fp(
  async (app: FastifyInstance) => {
    // Callback-style (not async): it runs on every request, and a promise per hook shows.
    app.addHook("onRequest", (request, _reply, done) => done(preconditionFailure(request)));
  },
  { name: "vigil-request-preconditions" },
);
