import { describe, expect, it } from "vitest";
import { fullInput, gpuInput, minimalInput } from "./fixtures.js";
import { revisionHash } from "./revision.js";

describe("revisionHash", () => {
  it("is a short stable hex hash", () => {
    const hash = revisionHash(minimalInput().model);
    expect(hash).toMatch(/^[0-9a-f]{10}$/);
    expect(revisionHash(minimalInput().model)).toBe(hash);
  });

  it("changes with any model field and with the GPU", () => {
    const base = revisionHash(minimalInput().model);
    const version = minimalInput().model;
    version.spec.model.version = "3.2.0";
    const uri = minimalInput().model;
    uri.spec.model.source.uri = "https://mirror.example.com/toxic-bert-3.1.0.tar.gz";
    const gpu = minimalInput().model;
    gpu.spec.gpu = { count: 1 };
    const hashes = [base, revisionHash(version), revisionHash(uri), revisionHash(gpu)];
    expect(new Set(hashes).size).toBe(4);
    const product = gpuInput().model;
    product.spec.gpu!.product = "NVIDIA-H100-80GB-HBM3";
    expect(revisionHash(product)).not.toBe(revisionHash(gpuInput().model));
  });

  it("ignores resources, strategy and metadata: those update a revision in place", () => {
    const base = revisionHash(minimalInput().model);
    const edited = minimalInput().model;
    edited.spec.resources = { limits: { memory: "4Gi" } };
    edited.spec.strategy = { blueGreen: { previewReplicas: 3 } };
    edited.spec.revisionHistoryLimit = 9;
    edited.metadata.generation = 42;
    edited.metadata.labels = { team: "ml" };
    expect(revisionHash(edited)).toBe(base);
  });

  it("does not change when a default is spelled out", () => {
    const implicit = minimalInput().model;
    const explicit = minimalInput().model;
    explicit.spec.model.format = "onnx";
    explicit.spec.model.source.timeoutSeconds = 300;
    expect(revisionHash(explicit)).toBe(revisionHash(implicit));
  });

  it("is independent of key order", () => {
    const reversed = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).reverse()) as T;
    const model = fullInput().model;
    const reordered = structuredClone(model);
    reordered.spec.model = reversed({ ...model.spec.model, source: reversed(model.spec.model.source) });
    expect(Object.keys(reordered.spec.model)).not.toEqual(Object.keys(model.spec.model));
    expect(revisionHash(reordered)).toBe(revisionHash(model));
  });
});
