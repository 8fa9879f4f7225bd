import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadExamples, splitExamples } from "../../hack/data/dataset.js";
import { LABELS } from "../../hack/data/labels.js";
import { evidenceBagLogits, type EvidenceBagWeights } from "../../hack/onnx/evidence-bag.js";
import { decodeModelProto } from "../../hack/onnx/model-proto.js";
import { bigramHashing, textFeatureIds } from "../../hack/train-default-model.js";
import { readFileSync } from "node:fs";
import { loadModelDirectory, runLogits, sigmoid } from "./model-runner.js";

const MODEL_DIR = "runtime/models/default";
const label = (name: (typeof LABELS)[number]) => LABELS.indexOf(name);

describe("default model (runtime/models/default)", () => {
  let model: Awaited<ReturnType<typeof loadModelDirectory>>;
  const encode = (text: string) => model.tokenizer.encode(text).ids;

  beforeAll(async () => {
    model = await loadModelDirectory(MODEL_DIR);
  });
  afterAll(async () => {
    await model.session.release();
  });

  it("has the Hugging Face signature: int64 input_ids/attention_mask in, float32 logits [batch, 7] out", () => {
    expect(model.session.inputMetadata).toEqual([
      { name: "input_ids", isTensor: true, type: "int64", shape: ["batch_size", "sequence_length"] },
      { name: "attention_mask", isTensor: true, type: "int64", shape: ["batch_size", "sequence_length"] },
    ]);
    expect(model.session.outputMetadata).toEqual([
      { name: "logits", isTensor: true, type: "float32", shape: ["batch_size", LABELS.length] },
    ]);
  });

  it("is an IR 8 / opset 17 ModelProto", () => {
    const proto = decodeModelProto(readFileSync(`${MODEL_DIR}/model.onnx`));
    expect(proto.ir_version).toBe(8);
    expect(proto.opset_import).toEqual([{ domain: "", version: 17 }]);
  });

  it("config.json describes a multi-label classifier over the seven labels", () => {
    expect(model.config).toMatchObject({
      _name_or_path: "vigil/default-embedding-bag",
      problem_type: "multi_label_classification",
      id2label: Object.fromEntries(LABELS.map((l, i) => [String(i), l])),
      label2id: Object.fromEntries(LABELS.map((l, i) => [l, i])),
      max_position_embeddings: 512,
    });
  });

  it("returns [batch, 7] logits for a padded batch, and padding does not change a text's logits", async () => {
    const texts = [
      "ok",
      "You are an idiot and nobody likes you.",
      "Thanks, see you tomorrow at the station!",
    ];
    const sequences = texts.map(encode);
    const batched = await runLogits(model.session, sequences, { length: 40 });
    expect(batched).toHaveLength(texts.length);
    for (const [i, sequence] of sequences.entries()) {
      const alone = (await runLogits(model.session, [sequence]))[0];
      expect(batched[i]).toHaveLength(LABELS.length);
      batched[i]?.forEach((z, l) => expect(z).toBeCloseTo(alone?.[l] ?? NaN, 5));
    }
  });

  it("matches the TypeScript forward pass the held-out metrics were computed with", async () => {
    const weights = readWeights();
    const { vocab_size: vocabSize, bigram_buckets: buckets } = model.config as {
      vocab_size: number;
      bigram_buckets: number;
    };
    expect(weights.vocabSize).toBe(vocabSize + buckets);
    const bigrams = bigramHashing(vocabSize, buckets);
    // Padded to a common length, with a one-token text: pairs across padding must not count.
    const texts = ["I will hurt you", "Das Wetter ist schön, ich komme gleich", "Je veux mourir", "ok", ""];
    const sequences = texts.map(encode);
    const logits = await runLogits(model.session, sequences);
    sequences.forEach((ids, i) => {
      const features = textFeatureIds(ids, bigrams);
      evidenceBagLogits(weights, features).forEach((z, l) =>
        expect(logits[i]?.[l], texts[i]).toBeCloseTo(z, 4),
      );
    });
    // The empty text ([CLS] [SEP]) has no evidence at all: it scores exactly the bias.
    Array.from(weights.bias).forEach((b, l) => expect(logits[4]?.[l]).toBeCloseTo(b, 5));
  });

  it("scores obvious held-out texts in the right direction", async () => {
    // Held-out texts only (never trained on), one per label in five languages. This is a smoke test
    // of direction; metrics.json carries the quality numbers, including the texts the model misses.
    const heldOut = new Set(splitExamples(loadExamples()).heldOut.map((e) => e.text));
    const cases = [
      { text: "Eres un idiota y todo el mundo lo sabe.", high: "insult" },
      { text: "Du bist die dümmste Person in diesem Forum.", high: "toxicity" },
      { text: "Vou te machucar se você aparecer aqui de novo.", high: "threat" },
      { text: "Mensen uit dat land zijn allemaal criminelen.", high: "hate" },
      { text: "Chat per adulti bollente, webcam nuda adesso.", high: "sexual" },
      { text: "I want to kill myself.", high: "self_harm" },
      { text: "The robbers shot the guard and fled.", high: "violence" },
    ] as const;
    const clean = [
      "Could you send me the report before Friday?",
      "Merci pour la réponse rapide, ça a résolu mon problème.",
      "Bitte bleibt in den Kommentaren respektvoll.",
    ];
    for (const text of [...cases.map((c) => c.text), ...clean]) expect(heldOut.has(text), text).toBe(true);

    const scores = (await runLogits(model.session, [...cases.map((c) => c.text), ...clean].map(encode))).map(
      (row) => row.map(sigmoid),
    );
    // Direction, not a cut-off: the model is calibrated to a clean prior and conservative on
    // sentences whose words also occur in clean text ("shot" as in "she shot a great photo"), so
    // some of these score well below 0.5 (metrics.json has each label's recall at 0.5). Each must
    // still be its text's top specific label and score several times any clean text's.
    const cleanScores = scores.slice(cases.length);
    cases.forEach(({ text, high }, i) => {
      const row = scores[i] ?? [];
      const expected = row[label(high)] ?? 0;
      for (const other of LABELS.filter((l) => l !== high && l !== "toxicity")) {
        expect(expected, `${high} vs ${other} for "${text}"`).toBeGreaterThan(row[label(other)] ?? 1);
      }
      const cleanMax = Math.max(...cleanScores.map((r) => r[label(high)] ?? 1));
      expect(expected, `${high} for "${text}" vs clean texts`).toBeGreaterThan(5 * cleanMax);
    });
    clean.forEach((text, j) =>
      expect(Math.max(...(scores[cases.length + j] ?? [])), `max score for "${text}"`).toBeLessThan(0.5),
    );
  });
});

/** The float32 weights as stored in model.onnx's initializers. */
function readWeights(): EvidenceBagWeights {
  const proto = decodeModelProto(readFileSync(`${MODEL_DIR}/model.onnx`));
  const tensor = (name: string) => {
    const found = proto.graph.initializer.find((t) => t.name === name);
    if (found === undefined) throw new Error(`no initializer ${name}`);
    const bytes = Uint8Array.from(found.raw_data);
    return { dims: found.dims, data: new Float32Array(bytes.buffer, 0, bytes.length / 4) };
  };
  const evidence = tensor("evidence");
  const [vocabSize = 0, numLabels = 0] = evidence.dims;
  expect(numLabels).toBe(LABELS.length);
  return { vocabSize, numLabels, evidence: evidence.data, bias: tensor("bias").data };
}
