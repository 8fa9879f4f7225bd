// The baseline for the cached path: fastify answering POST with a canned body of the size of a
// /v1/classify response, with no validation, inference or policy. Started by server-process.ts.
import Fastify from "fastify";

const body = {
  model: { name: "bench", version: "0.0.0" },
  policy: { name: "default", generation: 1 },
  results: [
    {
      text_index: 0,
      language: "en",
      language_source: "detected",
      scores: {
        toxicity: 0.1,
        insult: 0.1,
        threat: 0.1,
        hate: 0.1,
        sexual: 0.1,
        self_harm: 0.1,
        violence: 0.1,
      },
      decision: { action: "allow", reasons: [], matched_terms: [] },
      cached: true,
    },
  ],
};

const app = Fastify({ logger: false });
app.get("/ready", async () => ({ ok: true }));
app.post("/v1/classify", async () => body);
await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });
process.on("SIGTERM", () => void app.close().then(() => process.exit(0)));
