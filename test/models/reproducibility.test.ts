import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_MODEL_DIR, trainDefaultModel } from "../../hack/train-default-model.js";

const asBuffer = (content: Uint8Array | string) =>
  typeof content === "string" ? Buffer.from(content) : Buffer.from(content);

describe("npm run model:default", () => {
  // Trains twice (~20 s each on one core), hence more than the suite's 60 s default.
  it(
    "is deterministic and the committed runtime/models/default is its current output",
    { timeout: 600_000 },
    () => {
      const first = trainDefaultModel().files;
      const second = trainDefaultModel().files;
      expect(Object.keys(first).sort()).toEqual([
        "config.json",
        "metrics.json",
        "model.onnx",
        "tokenizer.json",
        "tokenizer_config.json",
      ]);
      for (const [name, content] of Object.entries(first)) {
        const again = second[name];
        expect(again, name).toBeDefined();
        expect(asBuffer(content).equals(asBuffer(again ?? "")), `${name} differs between two runs`).toBe(
          true,
        );
        const committed = readFileSync(join(DEFAULT_MODEL_DIR, name));
        expect(committed.equals(asBuffer(content)), `${name} is stale: run npm run model:default`).toBe(true);
      }
    },
  );
});
