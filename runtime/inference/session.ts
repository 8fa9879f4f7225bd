// Creates the onnxruntime session for one worker. CUDA is tried only when configured; when it
// cannot be used (no GPU, no CUDA build, missing provider libraries) the worker falls back to
// CPU and says so, instead of failing the pod.
import * as ort from "onnxruntime-node";
import type { ExecutionProvider } from "../config.js";
import { ModelLoadError } from "../errors.js";
import type { TensorSignature } from "./signature.js";

export interface CreatedSession {
  session: ort.InferenceSession;
  provider: ExecutionProvider;
  warning: string | undefined;
}

export async function createSession(
  modelPath: string,
  requested: ExecutionProvider,
  intraOpThreads: number,
): Promise<CreatedSession> {
  const options = (providers: string[]): ort.InferenceSession.SessionOptions => ({
    executionProviders: providers,
    intraOpNumThreads: intraOpThreads,
    // Parallelism comes from workers and intra-op threads; inter-op threads would oversubscribe.
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    // Idle intra-op threads spin by default, burning the cores the HTTP event loop needs; on
    // 2 cores, not spinning doubled server throughput and cut p99 by half (bench:runtime).
    extra: { session: { intra_op: { allow_spinning: "0" } } },
  });
  let warning: string | undefined;
  if (requested === "cuda") {
    try {
      return {
        session: await ort.InferenceSession.create(modelPath, options(["cuda"])),
        provider: "cuda",
        warning,
      };
    } catch (e) {
      warning = `CUDA execution provider unavailable (${firstLine(e)}); running on CPU`;
    }
  }
  try {
    return {
      session: await ort.InferenceSession.create(modelPath, options(["cpu"])),
      provider: "cpu",
      warning,
    };
  } catch (e) {
    throw new ModelLoadError(`${modelPath}: onnxruntime cannot load the model: ${firstLine(e)}`);
  }
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!.trim();
}

/** A session's inputs or outputs in the shape checkSignature reads. */
export function tensorSignatures(metadata: readonly ort.InferenceSession.ValueMetadata[]): TensorSignature[] {
  return metadata.map((m) =>
    m.isTensor
      ? {
          name: m.name,
          type: m.type,
          shape: m.shape.map((d) => (typeof d === "number" && d >= 0 ? d : String(d))),
        }
      : { name: m.name, type: "non-tensor" },
  );
}
