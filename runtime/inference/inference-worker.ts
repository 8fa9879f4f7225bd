// One inference worker thread: one onnxruntime session and one tokenizer, one batch at a time.
// session.run occupies the thread it is called on, so it runs here, never on the event loop
// that serves HTTP. Started by worker-pool.ts; talks only through worker-protocol.ts messages.
import { readFile } from "node:fs/promises";
import { parentPort, workerData } from "node:worker_threads";
import * as ort from "onnxruntime-node";
import { activate } from "./activation.js";
import { createSession, tensorSignatures } from "./session.js";
import { checkSignature } from "./signature.js";
import { planLengthBuckets } from "./length-buckets.js";
import { BatchTokenizer, type TokenizedText } from "./tokenizer.js";
import type { FromWorker, ToWorker, WorkerInit } from "./worker-protocol.js";

const init = workerData as WorkerInit;
const port = parentPort!;
const send = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

async function readJson(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
}

interface LoadedModel {
  session: ort.InferenceSession;
  tokenizer: BatchTokenizer;
  ready: Extract<FromWorker, { type: "ready" }>;
}

async function load(): Promise<LoadedModel> {
  const { session, provider, warning } = await createSession(
    init.modelPath,
    init.executionProvider,
    init.intraOpThreads,
  );
  const signature = checkSignature(
    init.modelPath,
    tensorSignatures(session.inputMetadata),
    tensorSignatures(session.outputMetadata),
    init.labelCount,
  );
  const tokenizer = new BatchTokenizer(
    await readJson(init.tokenizerPath),
    init.tokenizerConfigPath ? await readJson(init.tokenizerConfigPath) : {},
    {
      maxLength: init.maxLength,
      withTokenTypeIds: signature.usesTokenTypeIds,
      fixedLength: signature.fixedSequenceLength,
    },
  );
  return {
    session,
    tokenizer,
    ready: { type: "ready", provider, warning, usesTokenTypeIds: signature.usesTokenTypeIds },
  };
}

async function runBucket(loaded: LoadedModel, rows: TokenizedText[]): Promise<Float32Array> {
  const batch = loaded.tokenizer.pack(rows);
  const dims = [batch.batchSize, batch.sequenceLength];
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor("int64", batch.inputIds, dims),
    attention_mask: new ort.Tensor("int64", batch.attentionMask, dims),
  };
  if (batch.tokenTypeIds) feeds.token_type_ids = new ort.Tensor("int64", batch.tokenTypeIds, dims);
  const output = await loaded.session.run(feeds, ["logits"]);
  return output.logits!.data as Float32Array;
}

async function run(loaded: LoadedModel, texts: string[]): Promise<Float32Array> {
  const rows = texts.map((t) => loaded.tokenizer.tokenize(t));
  const buckets = loaded.tokenizer.dynamicLength
    ? planLengthBuckets(rows.map((r) => r.ids.length))
    : [rows.map((_, i) => i)];
  const labels = init.labelCount;
  const logits = new Float32Array(texts.length * labels);
  for (const bucket of buckets) {
    const out = await runBucket(
      loaded,
      bucket.map((i) => rows[i]!),
    );
    bucket.forEach((row, j) => logits.set(out.subarray(j * labels, (j + 1) * labels), row * labels));
  }
  return activate(logits, labels, init.activation);
}

function serve(loaded: LoadedModel): void {
  // Batches arrive one at a time (the pool never sends a second before the first is answered),
  // so this thread's session runs strictly sequentially.
  port.on("message", (message: ToWorker) => {
    const started = performance.now();
    run(loaded, message.texts).then(
      (probabilities) =>
        send({ type: "result", id: message.id, probabilities, inferenceMs: performance.now() - started }, [
          probabilities.buffer as ArrayBuffer,
        ]),
      (e: unknown) =>
        send({ type: "run-failed", id: message.id, message: e instanceof Error ? e.message : String(e) }),
    );
  });
  send(loaded.ready);
}

load().then(serve, (e: unknown) =>
  // The pool terminates this thread when it reads the failure.
  send({ type: "load-failed", message: e instanceof Error ? e.message : String(e) }),
);
