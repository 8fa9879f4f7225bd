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
import type { DecidingWindow, FromWorker, ToWorker, WorkerInit } from "./worker-protocol.js";

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
      maxWindows: init.maxWindows,
      windowLength: init.windowLength,
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

interface RunResult {
  probabilities: Float32Array;
  windows: Uint16Array;
  decidingWindows: (DecidingWindow[] | undefined)[];
}

/**
 * Scores every window of every text, then keeps per text and label the highest probability of
 * any of its windows: a long text is as harmful as its worst part.
 */
async function run(loaded: LoadedModel, texts: string[]): Promise<RunResult> {
  const perText = texts.map((t) => loaded.tokenizer.windows(t));
  const rows = perText.flat();
  const owner = perText.flatMap((windows, text) => windows.map(() => text));
  const buckets = loaded.tokenizer.dynamicLength
    ? planLengthBuckets(rows.map((r) => r.ids.length))
    : [rows.map((_, i) => i)];
  const labels = init.labelCount;
  const logits = new Float32Array(rows.length * labels);
  for (const bucket of buckets) {
    const out = await runBucket(
      loaded,
      bucket.map((i) => rows[i]!),
    );
    bucket.forEach((row, j) => logits.set(out.subarray(j * labels, (j + 1) * labels), row * labels));
  }
  const rowProbabilities = activate(logits, labels, init.activation);
  if (rows.length === texts.length) {
    return {
      probabilities: rowProbabilities,
      windows: new Uint16Array(texts.length).fill(1),
      decidingWindows: texts.map(() => undefined),
    };
  }
  const probabilities = new Float32Array(texts.length * labels);
  // Per text and label, the row of the window with the highest probability (first on ties).
  const decidingRow = new Int32Array(texts.length * labels).fill(-1);
  owner.forEach((text, row) => {
    for (let j = 0; j < labels; j++) {
      const at = text * labels + j;
      const p = rowProbabilities[row * labels + j]!;
      if (decidingRow[at] === -1 || p > probabilities[at]!) {
        probabilities[at] = p;
        decidingRow[at] = row;
      }
    }
  });
  let firstRow = 0;
  const decidingWindows = perText.map((windows, text) => {
    const first = firstRow;
    firstRow += windows.length;
    if (windows.length === 1) return undefined;
    const spans = loaded.tokenizer.characterSpans(
      texts[text]!,
      windows.map((w) => w.contentTokens!),
    );
    return Array.from({ length: labels }, (_, j) => {
      const index = decidingRow[text * labels + j]! - first;
      return { index, ...spans[index]! };
    });
  });
  return { probabilities, windows: Uint16Array.from(perText, (w) => w.length), decidingWindows };
}

function serve(loaded: LoadedModel): void {
  // Batches arrive one at a time (the pool never sends a second before the first is answered),
  // so this thread's session runs strictly sequentially.
  port.on("message", (message: ToWorker) => {
    const started = performance.now();
    run(loaded, message.texts).then(
      ({ probabilities, windows, decidingWindows }) =>
        send(
          {
            type: "result",
            id: message.id,
            probabilities,
            windows,
            decidingWindows,
            inferenceMs: performance.now() - started,
          },
          [probabilities.buffer as ArrayBuffer, windows.buffer as ArrayBuffer],
        ),
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
