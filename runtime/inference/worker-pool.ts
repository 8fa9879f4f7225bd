// A fixed set of inference worker threads, one onnxruntime session each. The batcher hands it
// whole batches; each batch goes to an idle worker (or waits for one). A worker that dies is
// replaced, and the batch it held fails instead of hanging.
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { ExecutionProvider } from "../config.js";
import { InferenceError, ModelLoadError } from "../errors.js";
import type { ModelDescriptor } from "./model-dir.js";
import type { DecidingWindow, FromWorker, ToWorker, WorkerInit } from "./worker-protocol.js";

export interface BatchOutput {
  /** Row-major [texts, labels]. */
  probabilities: Float32Array;
  /** Windows each text was scored in. */
  windows: Uint16Array;
  /** Per text scored in several windows, per label: the deciding window. */
  decidingWindows: (DecidingWindow[] | undefined)[];
  inferenceMs: number;
}

export interface WorkerPoolOptions {
  workers: number;
  intraOpThreads: number;
  executionProvider: ExecutionProvider;
  /** Windows a text past the model's limit is scored in; 1 truncates. Default 1. */
  maxWindows?: number;
  /** Tokens per window; default the model's limit. */
  windowLength?: number | undefined;
  /** Worker deaths and replacements, for the log. */
  onEvent?: (level: "warn" | "error" | "info", message: string) => void;
}

interface Job {
  id: number;
  texts: string[];
  resolve(output: BatchOutput): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
}

type Ready = Extract<FromWorker, { type: "ready" }>;

// Compiled code runs inference-worker.js directly. From TypeScript sources (tsx, vitest) the
// worker needs tsx's loader registered inside the new thread before it imports the .ts file.
function spawn(init: WorkerInit): Worker {
  const self = new URL(import.meta.url);
  const workerUrl = new URL(`./inference-worker${path.extname(self.pathname)}`, self);
  if (!workerUrl.pathname.endsWith(".ts")) return new Worker(workerUrl, { workerData: init });
  const tsxApi = import.meta.resolve("tsx/esm/api");
  const bootstrap =
    `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); ` +
    `return import(${JSON.stringify(workerUrl.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: init });
}

function startWorker(init: WorkerInit): Promise<{ worker: Worker; ready: Ready }> {
  return new Promise((resolve, reject) => {
    const worker = spawn(init);
    const fail = (message: string): void => {
      cleanup();
      void worker.terminate();
      reject(new ModelLoadError(message));
    };
    const onMessage = (message: FromWorker): void => {
      if (message.type === "ready") {
        cleanup();
        resolve({ worker, ready: message });
      } else if (message.type === "load-failed") {
        fail(message.message);
      }
    };
    const onError = (error: Error): void => fail(`inference worker failed to start: ${error.message}`);
    const onExit = (code: number): void => fail(`inference worker exited with code ${code} while loading`);
    const cleanup = (): void => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
  });
}

export class InferenceWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Job[] = [];
  private nextId = 1;
  private closing = false;

  private constructor(
    private readonly init: WorkerInit,
    private readonly options: WorkerPoolOptions,
    readonly provider: ExecutionProvider,
    readonly warning: string | undefined,
  ) {}

  /** Starts every worker and waits until each has loaded and checked the model. */
  static async start(model: ModelDescriptor, options: WorkerPoolOptions): Promise<InferenceWorkerPool> {
    const init: WorkerInit = {
      modelPath: model.modelPath,
      tokenizerPath: model.tokenizerPath,
      tokenizerConfigPath: model.tokenizerConfigPath,
      labelCount: model.labels.length,
      activation: model.activation,
      maxLength: model.maxLength,
      maxWindows: options.maxWindows ?? 1,
      windowLength: options.windowLength,
      executionProvider: options.executionProvider,
      intraOpThreads: options.intraOpThreads,
    };
    const started = await Promise.allSettled(
      Array.from({ length: options.workers }, () => startWorker(init)),
    );
    const failure = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failure) {
      await Promise.all(
        started.map((s) => (s.status === "fulfilled" ? s.value.worker.terminate() : undefined)),
      );
      throw failure.reason instanceof Error ? failure.reason : new ModelLoadError(String(failure.reason));
    }
    const workers = started.map((s) => (s as PromiseFulfilledResult<{ worker: Worker; ready: Ready }>).value);
    const first = workers[0]!.ready;
    const pool = new InferenceWorkerPool(init, options, first.provider, first.warning);
    for (const { worker } of workers) pool.adopt(worker);
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  run(texts: string[]): Promise<BatchOutput> {
    if (this.closing) return Promise.reject(new InferenceError("the inference workers are shutting down"));
    return new Promise((resolve, reject) => {
      this.waiting.push({ id: this.nextId++, texts, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const job of this.waiting.splice(0))
      job.reject(new InferenceError("the inference workers are shutting down"));
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  private adopt(worker: Worker): void {
    const slot: Slot = { worker, job: undefined };
    worker.on("message", (message: FromWorker) => this.onMessage(slot, message));
    worker.on("error", (error) =>
      this.options.onEvent?.("error", `inference worker crashed: ${error.message}`),
    );
    worker.on("exit", (code) => this.onExit(slot, code));
    this.slots.push(slot);
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.waiting.length === 0) return;
      if (slot.job) continue;
      const job = this.waiting.shift()!;
      slot.job = job;
      slot.worker.postMessage({ type: "run", id: job.id, texts: job.texts } satisfies ToWorker);
    }
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    const job = slot.job;
    if (!job || !("id" in message) || message.id !== job.id) return;
    slot.job = undefined;
    if (message.type === "result") {
      job.resolve({
        probabilities: message.probabilities,
        windows: message.windows,
        decidingWindows: message.decidingWindows,
        inferenceMs: message.inferenceMs,
      });
    } else {
      job.reject(new InferenceError(`inference failed: ${message.message}`));
    }
    this.dispatch();
  }

  private onExit(slot: Slot, code: number): void {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    slot.job?.reject(new InferenceError(`inference worker exited (code ${code}) during a batch`));
    if (this.closing) return;
    this.options.onEvent?.("warn", `inference worker exited with code ${code}; starting a replacement`);
    startWorker(this.init).then(
      ({ worker }) => {
        if (this.closing) void worker.terminate();
        else this.adopt(worker);
      },
      (error: Error) => this.options.onEvent?.("error", `cannot replace inference worker: ${error.message}`),
    );
  }
}
