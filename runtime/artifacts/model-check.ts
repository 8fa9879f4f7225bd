// The checks the runtime makes when it starts serving (runtime/inference: model directory
// layout, config.json id2label, tokenizer.json, the ONNX graph's inputs and outputs), run once
// on the fetched directory so a wrong artifact fails the init container with the exact check,
// instead of crash-looping the serving container. The inputs and outputs are read from the ONNX
// protobuf (onnx-signature.ts), not from an onnxruntime session: loading onnxruntime and the
// weights would cost the init container tens of MB plus the model's size, and a second or more.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { ModelLoadError } from "../errors.js";
import { loadModelDescriptor } from "../inference/model-dir.js";
import { checkSignature } from "../inference/signature.js";
import { BatchTokenizer } from "../inference/tokenizer.js";
import { ArtifactError } from "./artifact-error.js";
import { readOnnxSignature } from "./onnx-signature.js";

async function readJsonObject(file: string): Promise<Record<string, unknown>> {
  const text = await readFile(file, "utf8");
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new ModelLoadError(`${file}: invalid JSON (${(e as Error).message})`);
  }
}

/**
 * Throws ArtifactInvalid naming the failed check. `relative`: name files relative to `dir`
 * (a staging directory whose path means nothing to the reader).
 */
export async function checkModelDirectory(dir: string, options: { relative: boolean }): Promise<void> {
  const invalid = (error: unknown): ArtifactError => {
    const message = error instanceof Error ? error.message : String(error);
    const shown = options.relative
      ? message
          .split(dir + path.sep)
          .join("")
          .split(dir)
          .join(".")
      : message;
    return new ArtifactError("ArtifactInvalid", `model check failed: ${shown}`);
  };
  try {
    const model = await loadModelDescriptor(dir, { version: "fetch-model" });
    const tokenizerJson = await readJsonObject(model.tokenizerPath);
    const tokenizerConfig = model.tokenizerConfigPath ? await readJsonObject(model.tokenizerConfigPath) : {};
    const { inputs, outputs } = await readOnnxSignature(model.modelPath);
    const signature = checkSignature(model.modelPath, inputs, outputs, model.labels.length);
    try {
      new BatchTokenizer(tokenizerJson, tokenizerConfig, {
        maxLength: model.maxLength,
        withTokenTypeIds: signature.usesTokenTypeIds,
        fixedLength: signature.fixedSequenceLength,
      });
    } catch (e) {
      throw new ModelLoadError(`${model.tokenizerPath}: not a usable tokenizer (${(e as Error).message})`);
    }
  } catch (error) {
    if (error instanceof ModelLoadError) throw invalid(error);
    throw error;
  }
}
