/**
 * Generates a transformer-shaped benchmark model with random (seeded) weights:
 *   npm run model:bench [-- --layers 4 --hidden 128 --heads 4 --ffn 512 --max-length 128 --token-type-ids]
 * BERT-style encoder (token + position embeddings, N x [multi-head self-attention, residual +
 * LayerNorm, GELU FFN, residual + LayerNorm], [CLS] pooler, classifier) so inference has the real
 * MatMul/Softmax/LayerNorm cost of a small encoder. Its scores are meaningless; it exists for
 * performance work. It reuses the default model's tokenizer and labels, so the runtime loads it
 * exactly like the default model.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Command, InvalidArgumentError } from "commander";
import { LABELS } from "./data/labels.js";
import { GraphBuilder, int, type Value } from "./onnx/graph-builder.js";
import { attentionMaskBias, gelu, layerNorm, linear, multiHeadSelfAttention } from "./onnx/layers.js";
import { buildClassifierConfig, jsonText, writeModelDirectory } from "./onnx/model-directory.js";
import { SeededRandom } from "./onnx/seeded-random.js";
import { DEFAULT_MODEL_DIR } from "./train-default-model.js";

export const BENCH_MODEL_DIR = "models-bench/transformer";

export interface BenchModelOptions {
  layers: number;
  hidden: number;
  heads: number;
  ffn: number;
  /** Embedding rows; at least the tokenizer's vocabulary (defaults to exactly that). */
  vocab?: number;
  maxLength: number;
  tokenTypeIds: boolean;
  seed: number;
  /** Where tokenizer.json / tokenizer_config.json are copied from. */
  tokenizerDir: string;
}

/**
 * Defaults sized so one batch of 32 x 64 tokens costs tens of milliseconds on one CPU core
 * (about 1.7 GMAC: 4 layers x 2048 tokens x ~200k multiply-adds per token and layer).
 */
export const DEFAULT_BENCH_OPTIONS: BenchModelOptions = {
  layers: 4,
  hidden: 128,
  heads: 4,
  ffn: 512,
  maxLength: 128,
  tokenTypeIds: false,
  seed: 7,
  tokenizerDir: DEFAULT_MODEL_DIR,
};

/** BERT's initializer range: weights ~ N(0, 0.02²). */
const INIT_STD = 0.02;

export function generateBenchModel(options: BenchModelOptions): Record<string, Uint8Array | string> {
  const tokenizerJson = JSON.parse(readFileSync(join(options.tokenizerDir, "tokenizer.json"), "utf8")) as {
    model: { vocab: Record<string, number> };
  };
  const tokenizerConfig = JSON.parse(
    readFileSync(join(options.tokenizerDir, "tokenizer_config.json"), "utf8"),
  ) as Record<string, unknown>;
  const tokenizerVocab = Object.keys(tokenizerJson.model.vocab).length;
  const vocab = options.vocab ?? tokenizerVocab;
  if (vocab < tokenizerVocab) {
    throw new Error(`--vocab ${vocab} is smaller than the tokenizer's vocabulary (${tokenizerVocab})`);
  }
  if (options.hidden % options.heads !== 0) {
    throw new Error(`--hidden ${options.hidden} is not divisible by --heads ${options.heads}`);
  }

  const graph = buildEncoderGraph({ ...options, vocab });
  const config = buildClassifierConfig({
    nameOrPath: "vigil/bench-transformer",
    architecture: "VigilBenchTransformerForSequenceClassification",
    modelType: "vigil-bench-transformer",
    labels: LABELS,
    maxPositionEmbeddings: options.maxLength,
    vocabSize: vocab,
    hiddenSize: options.hidden,
    extra: {
      num_hidden_layers: options.layers,
      num_attention_heads: options.heads,
      intermediate_size: options.ffn,
      hidden_act: "gelu",
      type_vocab_size: options.tokenTypeIds ? 2 : 0,
      layer_norm_eps: 1e-12,
      initializer_range: INIT_STD,
      vigil_random_weights_seed: options.seed,
    },
  });
  return {
    "model.onnx": graph.toModelBytes({
      producerName: "vigil hack/gen-bench-model.ts",
      producerVersion: "1",
      docString: "Random-weight BERT-shaped encoder for performance benchmarks; its scores are meaningless.",
      properties: { labels: LABELS.join(",") },
    }),
    "config.json": jsonText(config),
    "tokenizer.json": jsonText(tokenizerJson),
    // The position table bounds the sequence length, so the tokenizer must not promise more.
    "tokenizer_config.json": jsonText({ ...tokenizerConfig, model_max_length: options.maxLength }),
  };
}

function buildEncoderGraph(options: BenchModelOptions & { vocab: number }): GraphBuilder {
  const { hidden, ffn } = options;
  const random = new SeededRandom(options.seed);
  const g = new GraphBuilder("vigil_bench_transformer");
  const randomWeight = (name: string, dims: number[]) =>
    g.weight(
      name,
      random.normalArray(
        dims.reduce((a, b) => a * b, 1),
        INIT_STD,
      ),
      dims,
    );
  const constantWeight = (name: string, value: number, length: number) =>
    g.weight(name, new Float32Array(length).fill(value), [length]);
  const dense = (name: string, inSize: number, outSize: number): [Value, Value] => [
    randomWeight(`${name}.weight`, [inSize, outSize]),
    constantWeight(`${name}.bias`, 0, outSize),
  ];
  const norm = (x: Value, name: string) =>
    layerNorm(g, x, constantWeight(`${name}.weight`, 1, hidden), constantWeight(`${name}.bias`, 0, hidden));

  const dims = ["batch_size", "sequence_length"];
  const inputIds = g.input("input_ids", "int64", dims);
  const attentionMask = g.input("attention_mask", "int64", dims);
  const tokenTypeIds = options.tokenTypeIds ? g.input("token_type_ids", "int64", dims) : undefined;

  // Embeddings: token + position (+ token type), then LayerNorm.
  let x = g.op("Gather", [randomWeight("embeddings.word", [options.vocab, hidden]), inputIds]);
  const sequenceLength = g.op("Shape", [inputIds], { start: int(1), end: int(2) });
  const positions = g.op("Slice", [
    randomWeight("embeddings.position", [options.maxLength, hidden]),
    g.int64Constant("position_starts", [0]),
    sequenceLength,
    g.int64Constant("position_axes", [0]),
  ]);
  x = g.op("Add", [x, positions]);
  if (tokenTypeIds !== undefined) {
    x = g.op("Add", [x, g.op("Gather", [randomWeight("embeddings.token_type", [2, hidden]), tokenTypeIds])]);
  }
  x = norm(x, "embeddings.norm");

  const maskBias = attentionMaskBias(g, attentionMask);
  for (let layer = 0; layer < options.layers; layer++) {
    const p = `layer${layer}`;
    const attention = multiHeadSelfAttention(
      g,
      x,
      maskBias,
      {
        query: dense(`${p}.attention.query`, hidden, hidden),
        key: dense(`${p}.attention.key`, hidden, hidden),
        value: dense(`${p}.attention.value`, hidden, hidden),
        output: dense(`${p}.attention.output`, hidden, hidden),
      },
      { hidden, heads: options.heads, prefix: `${p}.attention` },
    );
    x = norm(g.op("Add", [x, attention]), `${p}.attention.norm`);
    const intermediate = gelu(g, linear(g, x, ...dense(`${p}.ffn.in`, hidden, ffn)), `${p}.ffn.gelu`);
    x = norm(
      g.op("Add", [x, linear(g, intermediate, ...dense(`${p}.ffn.out`, ffn, hidden))]),
      `${p}.ffn.norm`,
    );
  }

  // [CLS] pooling: the first position's vector, through BERT's tanh pooler, then the classifier.
  const cls = g.op("Gather", [x, g.int64Constant("cls_index", [0], [])], { axis: int(1) });
  const pooled = g.op("Tanh", [linear(g, cls, ...dense("pooler", hidden, hidden))]);
  const logits = linear(g, pooled, ...dense("classifier", hidden, LABELS.length));
  g.output(logits, "logits", "float32", ["batch_size", LABELS.length]);
  return g;
}

function positiveInt(flag: string) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1)
      throw new InvalidArgumentError(`${flag} must be a positive integer`);
    return value;
  };
}

function main(argv: string[]): void {
  const d = DEFAULT_BENCH_OPTIONS;
  const program = new Command()
    .name("gen-bench-model")
    .description("Generate a random-weight transformer-shaped ONNX model for benchmarks")
    .option("--out <dir>", "output directory", BENCH_MODEL_DIR)
    .option("--layers <n>", "encoder layers", positiveInt("--layers"), d.layers)
    .option("--hidden <n>", "hidden size", positiveInt("--hidden"), d.hidden)
    .option("--heads <n>", "attention heads (must divide --hidden)", positiveInt("--heads"), d.heads)
    .option("--ffn <n>", "feed-forward inner size", positiveInt("--ffn"), d.ffn)
    .option(
      "--vocab <n>",
      "embedding rows (default: the tokenizer's vocabulary size)",
      positiveInt("--vocab"),
    )
    .option(
      "--max-length <n>",
      "maximum sequence length (position embeddings)",
      positiveInt("--max-length"),
      d.maxLength,
    )
    .option("--token-type-ids", "add a third input, token_type_ids", d.tokenTypeIds)
    .option("--seed <n>", "random seed for the weights", positiveInt("--seed"), d.seed)
    .option("--tokenizer-dir <dir>", "copy tokenizer.json/tokenizer_config.json from here", d.tokenizerDir)
    .parse(argv);
  const { out, ...options } = program.opts<BenchModelOptions & { out: string }>();
  const dir = resolve(out);
  writeModelDirectory(dir, generateBenchModel(options));
  console.log(
    `wrote ${dir}: ${options.layers} layers, hidden ${options.hidden}, ${options.heads} heads, ffn ${options.ffn}, ` +
      `max length ${options.maxLength}${options.tokenTypeIds ? ", with token_type_ids" : ""}`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    main(process.argv);
  } catch (error) {
    console.error(`gen-bench-model: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
