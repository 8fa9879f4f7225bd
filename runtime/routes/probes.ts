// Kubernetes probes. live: the process answers. startup: the model has loaded (a slow load is
// not a liveness failure). ready: model loaded, policy loaded, not draining; the body says why
// not, and shows a rejected policy revision while the previous policy keeps serving.
import type { FastifyInstance } from "fastify";
import type { RuntimeState } from "../server/runtime-state.js";

export async function probeRoutes(app: FastifyInstance, { state }: { state: RuntimeState }): Promise<void> {
  const schema = { tags: ["probes"], security: [] };
  app.get("/live", { schema: { ...schema, summary: "Liveness: the process is serving HTTP" } }, async () => ({
    status: "ok",
  }));
  app.get(
    "/startup",
    { schema: { ...schema, summary: "Startup: the model has loaded" } },
    async (_request, reply) => {
      const started = state.started;
      return reply.code(started ? 200 : 503).send({ status: started ? "ok" : state.modelPhase });
    },
  );
  app.get(
    "/ready",
    {
      schema: {
        ...schema,
        summary: "Readiness: model and policy loaded, not shutting down; details per check",
      },
    },
    async (_request, reply) => {
      const report = state.readiness();
      return reply.code(report.ready ? 200 : 503).send(report);
    },
  );
}
