// Headers on every response: the request id (the client's X-Request-Id or a fresh UUID, the
// same id the logs carry), X-Process-Time (seconds from the request's arrival to its
// response, as the FastAPI convention has it), and the security headers the OWASP REST cheat
// sheet asks of a JSON API: no sniffing, no caching (answers describe user content), no
// framing; HSTS belongs to the TLS-terminating ingress. While the server drains for shutdown,
// every response also says `Connection: close`, so keep-alive clients reconnect elsewhere and
// the listener can close as soon as in-flight requests are answered.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
};

export const responseHeadersPlugin = fp(
  async (app: FastifyInstance, { draining }: { draining?: () => boolean }) => {
    // Callback-style (not async): it runs on every response.
    app.addHook("onSend", (request, reply, payload, done) => {
      reply.headers(SECURITY_HEADERS);
      reply.header("x-request-id", request.id);
      reply.header("x-process-time", (reply.elapsedTime / 1000).toFixed(6));
      if (draining?.()) reply.header("connection", "close");
      done(null, payload);
    });
  },
  { name: "vigil-response-headers" },
);
