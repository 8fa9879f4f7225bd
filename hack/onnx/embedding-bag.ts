import { SeededRandom } from "./seeded-random.js";

/**
 * An embedding-bag classifier: logits = mean(E[token ids]) · W + b, trained with sigmoid +
 * binary cross-entropy (multi-label) and Adam. The forward pass here is the same computation the
 * exported ONNX graph performs, so held-out metrics computed in TypeScript describe the artifact.
 */

export interface EmbeddingBagShape {
  vocabSize: number;
  dim: number;
  numLabels: number;
}

export interface EmbeddingBagWeights extends EmbeddingBagShape {
  /** [vocabSize, dim], row-major. */
  embeddings: Float32Array;
  /** [dim, numLabels], row-major. */
  weight: Float32Array;
  /** [numLabels]. */
  bias: Float32Array;
}

export interface TrainingSample {
  /** Token ids including [CLS]/[SEP], without padding. */
  ids: readonly number[];
  /** 0/1 per label. */
  targets: readonly number[];
}

export interface TrainingOptions {
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Decoupled (AdamW) weight decay; keeps rare-token embeddings from growing to fit single examples. */
  weightDecay: number;
  /**
   * Probability of dropping each token of a training text in each epoch, so the model learns
   * from every cue in a sentence instead of the single word that happens to separate it.
   */
  tokenDropout: number;
}

export interface TrainingResult {
  weights: EmbeddingBagWeights;
  /** Mean training loss per epoch, for the log. */
  epochLosses: number[];
}

export function trainEmbeddingBag(
  samples: readonly TrainingSample[],
  shape: EmbeddingBagShape,
  options: TrainingOptions,
): TrainingResult {
  const { vocabSize, dim, numLabels } = shape;
  const random = new SeededRandom(options.seed);
  const params = {
    embeddings: Float64Array.from(random.normalArray(vocabSize * dim, 0.1)),
    weight: Float64Array.from(random.normalArray(dim * numLabels, 1 / Math.sqrt(dim))),
    bias: Float64Array.from(labelPriorLogits(samples, numLabels)),
  };
  const optimizers = {
    embeddings: new Adam(params.embeddings.length, options),
    weight: new Adam(params.weight.length, options),
    bias: new Adam(params.bias.length, { ...options, weightDecay: 0 }),
  };
  const grads = {
    embeddings: new Float64Array(params.embeddings.length),
    weight: new Float64Array(params.weight.length),
    bias: new Float64Array(params.bias.length),
  };

  const order = samples.map((_, i) => i);
  const epochLosses: number[] = [];
  const pooled = new Float64Array(dim);
  const dLogits = new Float64Array(numLabels);
  const dPooled = new Float64Array(dim);

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    random.shuffle(order);
    let epochLoss = 0;
    for (let start = 0; start < order.length; start += options.batchSize) {
      const batch = order.slice(start, start + options.batchSize);
      grads.embeddings.fill(0);
      grads.weight.fill(0);
      grads.bias.fill(0);
      for (const index of batch) {
        const sample = samples[index] as TrainingSample;
        const ids = dropTokens(sample.ids, options.tokenDropout, random);
        meanPool(params.embeddings, dim, ids, pooled);
        for (let l = 0; l < numLabels; l++) {
          let z = params.bias[l] as number;
          for (let d = 0; d < dim; d++)
            z += (pooled[d] as number) * (params.weight[d * numLabels + l] as number);
          const y = sample.targets[l] as number;
          epochLoss += binaryCrossEntropyWithLogits(z, y);
          // d(BCE)/dz = sigmoid(z) - y, averaged over the batch.
          dLogits[l] = (sigmoid(z) - y) / batch.length;
        }
        dPooled.fill(0);
        for (let d = 0; d < dim; d++) {
          for (let l = 0; l < numLabels; l++) {
            const g = dLogits[l] as number;
            grads.weight[d * numLabels + l] =
              (grads.weight[d * numLabels + l] as number) + (pooled[d] as number) * g;
            dPooled[d] = (dPooled[d] as number) + (params.weight[d * numLabels + l] as number) * g;
          }
        }
        for (let l = 0; l < numLabels; l++)
          grads.bias[l] = (grads.bias[l] as number) + (dLogits[l] as number);
        const share = 1 / ids.length;
        for (const id of ids) {
          for (let d = 0; d < dim; d++) {
            grads.embeddings[id * dim + d] =
              (grads.embeddings[id * dim + d] as number) + (dPooled[d] as number) * share;
          }
        }
      }
      optimizers.embeddings.step(params.embeddings, grads.embeddings);
      optimizers.weight.step(params.weight, grads.weight);
      optimizers.bias.step(params.bias, grads.bias);
    }
    epochLosses.push(epochLoss / (samples.length * numLabels));
  }

  return {
    weights: {
      ...shape,
      embeddings: Float32Array.from(params.embeddings),
      weight: Float32Array.from(params.weight),
      bias: Float32Array.from(params.bias),
    },
    epochLosses,
  };
}

/** Logits for one unpadded token sequence, computed from the float32 weights the ONNX file holds. */
export function embeddingBagLogits(weights: EmbeddingBagWeights, ids: readonly number[]): number[] {
  const { dim, numLabels } = weights;
  const pooled = new Float64Array(dim);
  meanPool(weights.embeddings, dim, ids, pooled);
  const logits: number[] = [];
  for (let l = 0; l < numLabels; l++) {
    let z = weights.bias[l] as number;
    for (let d = 0; d < dim; d++) z += (pooled[d] as number) * (weights.weight[d * numLabels + l] as number);
    logits.push(z);
  }
  return logits;
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

function meanPool(
  embeddings: Float32Array | Float64Array,
  dim: number,
  ids: readonly number[],
  out: Float64Array,
) {
  out.fill(0);
  for (const id of ids) {
    for (let d = 0; d < dim; d++) out[d] = (out[d] as number) + (embeddings[id * dim + d] as number);
  }
  for (let d = 0; d < dim; d++) out[d] = (out[d] as number) / Math.max(ids.length, 1);
}

/** Keeps the first and last ids ([CLS], [SEP]) and at least one token in between. */
function dropTokens(ids: readonly number[], rate: number, random: SeededRandom): readonly number[] {
  if (rate === 0 || ids.length <= 3) return ids;
  const inner = ids.slice(1, -1).filter(() => random.next() >= rate);
  if (inner.length === 0) inner.push(ids[1 + Math.floor(random.next() * (ids.length - 2))] as number);
  return [ids[0] as number, ...inner, ids[ids.length - 1] as number];
}

/** Numerically stable log-loss of logit z against target y. */
function binaryCrossEntropyWithLogits(z: number, y: number): number {
  return Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
}

/** Start each label's bias at its base-rate log-odds, so early epochs do not just learn priors. */
function labelPriorLogits(samples: readonly TrainingSample[], numLabels: number): number[] {
  return Array.from({ length: numLabels }, (_, l) => {
    const positives = samples.reduce((n, s) => n + (s.targets[l] as number), 0);
    const p = (positives + 1) / (samples.length + 2);
    return Math.log(p / (1 - p));
  });
}

class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  private static readonly beta1 = 0.9;
  private static readonly beta2 = 0.999;
  private static readonly epsilon = 1e-8;

  constructor(
    size: number,
    private readonly options: { learningRate: number; weightDecay: number },
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  step(params: Float64Array, grads: Float64Array): void {
    this.t++;
    const { beta1, beta2, epsilon } = Adam;
    const { learningRate, weightDecay } = this.options;
    const correction1 = 1 - beta1 ** this.t;
    const correction2 = 1 - beta2 ** this.t;
    for (let i = 0; i < params.length; i++) {
      const g = grads[i] as number;
      const m = beta1 * (this.m[i] as number) + (1 - beta1) * g;
      const v = beta2 * (this.v[i] as number) + (1 - beta2) * g * g;
      this.m[i] = m;
      this.v[i] = v;
      const p = params[i] as number;
      params[i] =
        p - learningRate * (m / correction1 / (Math.sqrt(v / correction2) + epsilon) + weightDecay * p);
    }
  }
}
