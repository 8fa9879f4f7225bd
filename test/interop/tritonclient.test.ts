// The Open Inference Protocol as NVIDIA's own client speaks it: tritonclient[http] from PyPI
// (installed into the test venv by hack/test-setup.sh) runs health, metadata and inference against a real runtime.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningRuntime } from "../../runtime/server/start.js";
import { startTestRuntime, type JsonBody } from "../runtime/support/runtime.js";
import { runClientScript } from "./client-script.js";

let runtime: RunningRuntime;
let seen: JsonBody;

beforeAll(async () => {
  runtime = await startTestRuntime();
  seen = await runClientScript("tritonclient_check.py", [
    new URL(runtime.url).host,
    runtime.state.model.name,
  ]);
}, 120_000);
afterAll(() => runtime?.stop({ drainDelay: false }));

describe("tritonclient[http] against the runtime", () => {
  it("reads server and model health", () => {
    expect(seen.live).toBe(true);
    expect(seen.ready).toBe(true);
    expect(seen.model_ready).toBe(true);
  });

  it("reads server and model metadata", () => {
    expect(seen.server_metadata.name).toBe("vigil-runtime");
    expect(seen.model_metadata.name).toBe(runtime.state.model.name);
    expect(seen.model_metadata.inputs).toEqual([{ name: "text", datatype: "BYTES", shape: [-1] }]);
  });

  it("infers with JSON tensor data: scores per label and an action per text", () => {
    expect(seen.infer_json).toEqual({
      scores_shape: [2, runtime.state.model.labels.length],
      scores_in_range: true,
      actions: expect.arrayContaining([expect.stringMatching(/^(allow|flag|review|block)$/)]),
    });
    expect(seen.infer_json.actions).toHaveLength(2);
    expect(seen.infer_json.actions[0]).toBe("allow");
  });

  it("refuses binary tensor data with a 400 the client can read", () => {
    expect(seen.infer_binary.status).toBe("400");
    expect(seen.infer_binary.error).toMatch(/binary tensor data/);
  });

  it("surfaces the server's error message for an unknown model", () => {
    expect(seen.unknown_model.error).toMatch(/no-such-model/);
  });
});
