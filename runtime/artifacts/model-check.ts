// The checks the runtime makes when it starts serving (runtime/inference: model directory
// layout, config.json id2label, tokenizer.json, the ONNX session's inputs and outputs), run
// once on the fetched directory so a wrong artifact fails the init container with the exact
// check, instead of crash-looping the serving container.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { ModelLoadError } from "../errors.js";
import { loadModelDescriptor } from "../inference/model-dir.js";
import { createSession, tensorSignatures } from "../inference/session.js";
import { checkSignature } from "../inference/signature.js";
import { BatchTokenizer } from "../inference/tokenizer.js";
import { ArtifactError } from "./artifact-error.js";

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
    const { session } = await createSession(model.modelPath, "cpu", 1);
    try {
      const signature = checkSignature(
        model.modelPath,
        tensorSignatures(session.inputMetadata),
        tensorSignatures(session.outputMetadata),
        model.labels.length,
      );
      try {
        new BatchTokenizer(tokenizerJson, tokenizerConfig, {
          maxLength: model.maxLength,
          withTokenTypeIds: signature.usesTokenTypeIds,
          fixedLength: signature.fixedSequenceLength,
        });
      } catch (e) {
        throw new ModelLoadError(`${model.tokenizerPath}: not a usable tokenizer (${(e as Error).message})`);
      }
    } finally {
      await session.release();
    }
  } catch (error) {
    if (error instanceof ModelLoadError) throw invalid(error);
    throw error;
  }
}
