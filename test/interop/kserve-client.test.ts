// The Open Inference Protocol as KServe's own Python client speaks it: kserve's
// InferenceRESTClient (PyPI `kserve`, installed into the test venv by hack/test-setup.sh) runs
// health, model readiness and v2 inference against a real runtime. Its REST client has no
// metadata call; tritonclient.test.ts covers metadata.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningRuntime } from "../../runtime/server/start.js";
import { startTestRuntime, type JsonBody } from "../runtime/support/runtime.js";
import { runClientScript } from "./client-script.js";

let runtime: RunningRuntime;
let seen: JsonBody;

beforeAll(async () => {
  runtime = await startTestRuntime();
  seen = await runClientScript("kserve_check.py", [runtime.url, runtime.state.model.name]);
}, 120_000);
afterAll(() => runtime?.stop({ drainDelay: false }));

describe("kserve InferenceRESTClient against the runtime", () => {
  it("reads server liveness and readiness and model readiness", () => {
    expect(seen).toMatchObject({ live: true, ready: true, model_ready: true });
  });

  it("infers a BYTES batch: scores per label and an action per text", () => {
    expect(seen.infer).toEqual({
      model_name: runtime.state.model.name,
      output_names: ["action", "scores"],
      scores_shape: [2, runtime.state.model.labels.length],
      scores_in_range: true,
      actions: [expect.any(String), expect.any(String)],
    });
    expect(seen.infer.actions[0]).toBe("allow");
    expect(seen.infer.actions[1]).not.toBe("allow");
  });

  it("surfaces a 404 naming the model the runtime does not serve", () => {
    expect(seen.unknown_model.status).toBe(404);
    expect(seen.unknown_model.error).toMatch(/no-such-model/);
  });
});
