// Authentication and authorisation for the API routes of the scope it is registered in (the
// probes, /metrics and /openapi.json live outside it). Every request needs a Principal
// (401 otherwise); routes declaring `config: { access: "review" }` also need review rights
// (403 otherwise). Runs first among the API's onRequest hooks after load shedding, so rate
// limits count per authenticated client and unauthenticated traffic never reaches a model.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { Authenticator, Principal } from "../auth/authenticator.js";
import { ForbiddenError, UnauthorizedError } from "../errors.js";
import type { RuntimeMetrics } from "./metrics.js";

export type RouteAccess = "client" | "review";

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Default `client`: any authenticated caller. */
    access?: RouteAccess;
  }
}

export interface AuthPluginOptions {
  authenticator: Authenticator;
  metrics: RuntimeMetrics;
}

export const authPlugin = fp(
  async (app: FastifyInstance, { authenticator, metrics }: AuthPluginOptions) => {
    app.decorateRequest("principal", undefined);
    if (!authenticator.enabled) {
      // Auth off (a local run): everyone is let in, known by address; no promise per request.
      app.addHook("onRequest", (request, _reply, done) => {
        request.principal = { id: `ip:${request.ip}`, canReview: true };
        done();
      });
      return;
    }
    app.addHook("onRequest", async (request) => {
      const result = await authenticator.authenticate(request.headers, request.ip);
      if (!result.ok) {
        metrics.authFailures.inc({ reason: result.reason });
        throw new UnauthorizedError(result.message);
      }
      if (request.routeOptions.config?.access === "review" && !result.principal.canReview) {
        metrics.authFailures.inc({ reason: "forbidden" });
        throw new ForbiddenError(
          "this route needs review rights: an API key named '*.review' or a token with scope 'moderation:review'",
        );
      }
      request.principal = result.principal;
    });
  },
  { name: "vigil-auth" },
);
