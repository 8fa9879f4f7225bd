// Dynamic micro-batching, as Triton's dynamic batcher does it: items queue up; a batch leaves
// when a runner slot is free and either `maxBatchSize` items are waiting or the oldest has
// waited `maxDelayMs`. While every slot is busy the queue keeps filling, so under load batches
// grow by themselves and one model run serves many requests. The queue is bounded: past
// `maxQueue` items, submit() fails fast with QueueFullError (-> 503 + Retry-After) instead of
// letting latency grow without limit.
import { QueueFullError } from "../errors.js";

export interface BatcherOptions<I, O> {
  maxBatchSize: number;
  maxDelayMs: number;
  maxQueue: number;
  /** Batches allowed in flight at once (one per inference worker). */
  concurrency: number;
  /** Runs one batch; must return one output per item, in order. */
  run: (items: I[]) => Promise<O[]>;
  onBatch?: (size: number) => void;
  onRejected?: () => void;
  now?: () => number;
}

interface Pending<I, O> {
  item: I;
  enqueuedAt: number;
  resolve(output: O): void;
  reject(error: unknown): void;
}

export class Batcher<I, O> {
  private readonly queue: Pending<I, O>[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly now: () => number;

  constructor(private readonly options: BatcherOptions<I, O>) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Items waiting for a batch. */
  get depth(): number {
    return this.queue.length;
  }

  submit(item: I): Promise<O> {
    if (this.queue.length >= this.options.maxQueue) {
      this.options.onRejected?.();
      return Promise.reject(new QueueFullError(this.options.maxQueue));
    }
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, enqueuedAt: this.now(), resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once the queue is empty and no batch is running (graceful shutdown). */
  drain(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.inFlight >= this.options.concurrency || this.queue.length === 0) return;
    const waited = this.now() - this.queue[0]!.enqueuedAt;
    if (this.queue.length >= this.options.maxBatchSize || waited >= this.options.maxDelayMs) {
      this.flush();
      return;
    }
    // Wait for more items until the oldest one's deadline.
    this.timer ??= setTimeout(
      () => {
        this.timer = undefined;
        this.flushDue();
      },
      Math.max(0, this.options.maxDelayMs - waited),
    );
  }

  private flushDue(): void {
    if (this.inFlight < this.options.concurrency && this.queue.length > 0) this.flush();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue.splice(0, this.options.maxBatchSize);
    this.inFlight++;
    this.options.onBatch?.(batch.length);
    this.execute(batch).finally(() => {
      this.inFlight--;
      this.schedule();
      if (this.queue.length === 0 && this.inFlight === 0) {
        for (const resolve of this.idleWaiters.splice(0)) resolve();
      }
    });
    // Another slot may be free for what is left.
    this.schedule();
  }

  /**
   * Runs a batch; when it fails, runs each half again, down to single items, so that one item
   * the model cannot take fails alone instead of taking the requests batched with it along.
   * Failures are rare, so the extra runs (about 2·log2(n) per bad item) cost nothing in practice.
   */
  private async execute(batch: Pending<I, O>[]): Promise<void> {
    let outputs: O[];
    try {
      outputs = await this.options.run(batch.map((p) => p.item));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      const middle = Math.ceil(batch.length / 2);
      await this.execute(batch.slice(0, middle));
      await this.execute(batch.slice(middle));
      return;
    }
    // A runner that breaks its contract is a bug, not a bad item: no retry hides it.
    if (outputs.length !== batch.length) {
      const error = new Error(`batch runner returned ${outputs.length} outputs for ${batch.length} items`);
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => p.resolve(outputs[i]!));
  }
}
