import { SeededRandom } from "./seeded-random.js";

/**
 * An evidence bag: an embedding bag in sum mode whose embedding of a feature is its contribution
 * to each label's log-odds, plus a per-label bias —
 *   logits[l] = bias[l] + Σ_{features f of the text} evidence[f, l]
 * i.e. multi-label logistic regression over feature counts, trained with sigmoid + binary
 * cross-entropy, Adam and an L2 penalty. The features are the text's word-piece ids plus hashed
 * ids of adjacent piece pairs (bigram-features.ts), numbered after the vocabulary. The forward
 * pass here is the computation the exported ONNX graph performs, so held-out metrics computed in
 * TypeScript describe the artifact.
 *
 * Why this shape and not mean(embeddings)·W: averaging makes a token's weight in the score depend
 * on the text's length, so the weights must be large for a cue to count in a long sentence, and
 * then any one- or two-piece text is decided by whatever those pieces happened to learn ("hello"
 * -> "hel" from "hell" -> toxicity 1.0). Summing keeps each feature's contribution the same in any
 * text, the L2 penalty keeps a feature seen in few training texts close to zero, and the tokens
 * that carry no information ([PAD], [UNK], [CLS], [SEP]) are pinned at zero, so a text with
 * nothing known in it scores at the bias: the clean prior.
 */

export interface EvidenceBagShape {
  /** Rows of the evidence table: token ids, then any further feature ids. */
  vocabSize: number;
  numLabels: number;
}

export interface EvidenceBagWeights extends EvidenceBagShape {
  /** [vocabSize, numLabels], row-major: what one occurrence of a feature adds to each label's logit. */
  evidence: Float32Array;
  /** [numLabels]: the logits of a text with no evidence. */
  bias: Float32Array;
}

export interface TrainingSample {
  /** Feature ids of one text: its token ids (with [CLS]/[SEP], no padding) and any further features. */
  ids: readonly number[];
  /** 0/1 per label. */
  targets: readonly number[];
}

export interface TrainingOptions {
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /**
   * L2 penalty l2/2·‖evidence‖² added to the loss (so it passes through Adam's normalisation,
   * unlike decoupled weight decay). At the optimum each token's evidence is its share of the data
   * gradient divided by l2, so it grows with how many training texts support it: a feature seen
   * once or twice stays near zero. The bias (the label prior) is not penalised.
   */
  l2: number;
  /**
   * Probability of dropping each feature of a training text in each epoch, so the model learns
   * from every cue in a sentence instead of the single word that happens to separate it.
   */
  tokenDropout: number;
  /** Token ids whose evidence is held at zero: [PAD], [UNK], [CLS], [SEP]. */
  zeroEvidenceIds: readonly number[];
}

export interface TrainingResult {
  weights: EvidenceBagWeights;
  /** Mean training loss per epoch (penalty excluded), for the log. */
  epochLosses: number[];
}

export function trainEvidenceBag(
  samples: readonly TrainingSample[],
  shape: EvidenceBagShape,
  options: TrainingOptions,
): TrainingResult {
  const { vocabSize, numLabels } = shape;
  const random = new SeededRandom(options.seed);
  const zeroIds = new Set(options.zeroEvidenceIds);
  // The loss is convex in these parameters, so zero is as good a start as any; the bias starts at
  // each label's base-rate log-odds so the first epochs do not spend themselves on the prior.
  const evidence = new Float64Array(vocabSize * numLabels);
  const bias = Float64Array.from(labelPriorLogits(samples, numLabels));
  const optimizers = {
    evidence: new Adam(evidence.length, options.learningRate, options.l2),
    bias: new Adam(bias.length, options.learningRate, 0),
  };
  const grads = { evidence: new Float64Array(evidence.length), bias: new Float64Array(bias.length) };
  const order = samples.map((_, i) => i);
  const epochLosses: number[] = [];
  const logits = new Float64Array(numLabels);

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    random.shuffle(order);
    let epochLoss = 0;
    for (let start = 0; start < order.length; start += options.batchSize) {
      const batch = order.slice(start, start + options.batchSize);
      grads.evidence.fill(0);
      grads.bias.fill(0);
      for (const index of batch) {
        const sample = samples[index] as TrainingSample;
        // Zero-evidence tokens get no gradient, and L2 leaves a zero parameter at zero.
        const ids = dropFeatures(sample.ids, options.tokenDropout, random).filter((id) => !zeroIds.has(id));
        forward(evidence, bias, numLabels, ids, logits);
        for (let l = 0; l < numLabels; l++) {
          const z = logits[l] as number;
          const y = sample.targets[l] as number;
          epochLoss += binaryCrossEntropyWithLogits(z, y);
          // d(BCE)/dz = sigmoid(z) - y, averaged over the batch; every feature of the text gets it.
          const g = (sigmoid(z) - y) / batch.length;
          grads.bias[l] = (grads.bias[l] as number) + g;
          for (const id of ids) {
            const j = id * numLabels + l;
            grads.evidence[j] = (grads.evidence[j] as number) + g;
          }
        }
      }
      optimizers.evidence.step(evidence, grads.evidence);
      optimizers.bias.step(bias, grads.bias);
    }
    epochLosses.push(epochLoss / (samples.length * numLabels));
  }
  return {
    weights: {
      ...shape,
      evidence: Float32Array.from(evidence),
      bias: Float32Array.from(bias),
    },
    epochLosses,
  };
}

/** Logits for one unpadded token sequence, computed from the float32 weights the ONNX file holds. */
export function evidenceBagLogits(weights: EvidenceBagWeights, ids: readonly number[]): number[] {
  const logits = new Float64Array(weights.numLabels);
  forward(weights.evidence, weights.bias, weights.numLabels, ids, logits);
  return Array.from(logits);
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

function forward(
  evidence: Float32Array | Float64Array,
  bias: Float32Array | Float64Array,
  numLabels: number,
  ids: readonly number[],
  out: Float64Array,
): void {
  for (let l = 0; l < numLabels; l++) out[l] = bias[l] as number;
  for (const id of ids) {
    for (let l = 0; l < numLabels; l++)
      out[l] = (out[l] as number) + (evidence[id * numLabels + l] as number);
  }
}

/** Drops each feature with probability `rate`, keeping at least one. */
function dropFeatures(ids: readonly number[], rate: number, random: SeededRandom): readonly number[] {
  if (rate === 0 || ids.length <= 1) return ids;
  const kept = ids.filter(() => random.next() >= rate);
  if (kept.length === 0) kept.push(ids[Math.floor(random.next() * ids.length)] as number);
  return kept;
}

/** Numerically stable log-loss of logit z against target y. */
function binaryCrossEntropyWithLogits(z: number, y: number): number {
  return Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
}

function labelPriorLogits(samples: readonly TrainingSample[], numLabels: number): number[] {
  return Array.from({ length: numLabels }, (_, l) => {
    const positives = samples.reduce((n, s) => n + (s.targets[l] as number), 0);
    const p = (positives + 1) / (samples.length + 2);
    return Math.log(p / (1 - p));
  });
}

/** Adam with an optional L2 term added to the gradient (not decoupled weight decay; see l2 above). */
class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  private static readonly beta1 = 0.9;
  private static readonly beta2 = 0.999;
  private static readonly epsilon = 1e-8;

  constructor(
    size: number,
    private readonly learningRate: number,
    private readonly l2: number,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  step(params: Float64Array, grads: Float64Array): void {
    this.t++;
    const { beta1, beta2, epsilon } = Adam;
    const correction1 = 1 - beta1 ** this.t;
    const correction2 = 1 - beta2 ** this.t;
    for (let i = 0; i < params.length; i++) {
      const p = params[i] as number;
      // Most bigram rows never see a gradient; at zero with no history their update is exactly 0.
      if (p === 0 && grads[i] === 0 && this.m[i] === 0 && this.v[i] === 0) continue;
      const g = (grads[i] as number) + this.l2 * p;
      const m = beta1 * (this.m[i] as number) + (1 - beta1) * g;
      const v = beta2 * (this.v[i] as number) + (1 - beta2) * g * g;
      this.m[i] = m;
      this.v[i] = v;
      params[i] = p - this.learningRate * (m / correction1 / (Math.sqrt(v / correction2) + epsilon));
    }
  }
}
