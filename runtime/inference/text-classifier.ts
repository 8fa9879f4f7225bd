// The model as the rest of the runtime sees it: text in, a score per label out. Behind it, the
// dynamic batcher groups concurrent texts and the worker pool runs each batch on a free
// onnxruntime session.
import type { ExecutionProvider } from "../config.js";
import type { RuntimeMetrics } from "../server/metrics.js";
import { Batcher } from "./batcher.js";
import type { ModelDescriptor } from "./model-dir.js";
import { InferenceWorkerPool, type WorkerPoolOptions } from "./worker-pool.js";

export type LabelScores = Record<string, number>;

/** The window of a long text a label's score came from: the passage to read to see why. */
export interface ScoreWindow {
  /** 0-based, in text order. */
  index: number;
  /** Windows the text was scored in. */
  count: number;
  /** Code point offsets [start, end) of the window in the text, at word precision. */
  start: number;
  end: number;
}

export interface Classification {
  scores: LabelScores;
  /** Only for a text scored in several windows: per label, the window that gave its score. */
  windows?: Record<string, ScoreWindow>;
}

export interface ModelInfo {
  name: string;
  version: string;
  labels: readonly string[];
  provider: ExecutionProvider;
  maxLength: number;
  problemType: string;
}

export interface TextClassifier {
  readonly info: ModelInfo;
  classify(text: string): Promise<Classification>;
  /** Finishes queued and running batches, then stops the workers. */
  close(): Promise<void>;
}

export interface BatchingOptions {
  maxBatchSize: number;
  maxDelayMs: number;
  maxQueue: number;
}

export class OnnxTextClassifier implements TextClassifier {
  private constructor(
    readonly info: ModelInfo,
    private readonly pool: InferenceWorkerPool,
    private readonly batcher: Batcher<string, Classification>,
    private readonly stopPublishingDepth: () => void,
  ) {}

  /** Starts the workers (each loads and checks the model) and the batcher in front of them. */
  static async load(
    model: ModelDescriptor,
    poolOptions: WorkerPoolOptions,
    batching: BatchingOptions,
    metrics: RuntimeMetrics,
  ): Promise<OnnxTextClassifier> {
    const pool = await InferenceWorkerPool.start(model, poolOptions);
    const labels = model.labels;
    const batcher = new Batcher<string, Classification>({
      ...batching,
      concurrency: pool.size,
      run: async (texts) => {
        const output = await pool.run(texts);
        metrics.inferenceDuration.observe(output.inferenceMs / 1000);
        for (const count of output.windows) metrics.windowsPerText.observe(count);
        return texts.map((_, row) => {
          const scores: LabelScores = {};
          labels.forEach((label, j) => (scores[label] = output.probabilities[row * labels.length + j]!));
          const deciding = output.decidingWindows[row];
          if (!deciding) return { scores };
          const count = output.windows[row]!;
          const windows: Record<string, ScoreWindow> = {};
          labels.forEach((label, j) => {
            const { index, start, end } = deciding[j]!;
            windows[label] = { index, count, start, end };
          });
          return { scores, windows };
        });
      },
      onBatch: (size) => metrics.batchSize.observe(size),
      onRejected: () => metrics.queueRejections.inc(),
    });
    // Read at scrape time rather than set on every enqueue and flush (twice per text).
    const stopReading = metrics.refreshOnScrape(() => metrics.queueDepth.set(batcher.depth));
    const stopPublishingDepth = () => {
      stopReading();
      metrics.queueDepth.set(0);
    };
    const info: ModelInfo = {
      name: model.name,
      version: model.version,
      labels,
      provider: pool.provider,
      maxLength: model.maxLength,
      problemType: model.problemType,
    };
    return new OnnxTextClassifier(info, pool, batcher, stopPublishingDepth);
  }

  get providerWarning(): string | undefined {
    return this.pool.warning;
  }

  classify(text: string): Promise<Classification> {
    return this.batcher.submit(text);
  }

  async close(): Promise<void> {
    await this.batcher.drain();
    await this.pool.close();
    this.stopPublishingDepth();
  }
}
