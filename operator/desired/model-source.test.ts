import { describe, expect, it } from "vitest";
import { buildDeployment } from "./deployment.js";
import { DesiredInputError } from "./errors.js";
import { fullInput, minimalInput } from "./fixtures.js";
import { parseModelSource } from "./model-source.js";
import { validateUpstream } from "./testing/upstream.js";

describe("model sources", () => {
  it("pvc://claim/path mounts the claim read-only at the subPath, with no download", () => {
    const deployment = buildDeployment(fullInput(), "active");
    validateUpstream(deployment);
    const pod = deployment.spec?.template.spec;
    expect(pod?.initContainers).toBeUndefined();
    expect(pod?.volumes).toContainEqual({
      name: "model",
      persistentVolumeClaim: { claimName: "models", readOnly: true },
    });
    expect(pod?.containers[0]?.volumeMounts).toContainEqual({
      name: "model",
      mountPath: "/models/model",
      readOnly: true,
      subPath: "toxic-bert/3.1.0",
    });
    expect(pod?.containers[0]?.env).toContainEqual({ name: "VIGIL_MODEL_DIR", value: "/models/model" });
  });

  it("pvc://claim without a path mounts the whole claim", () => {
    expect(parseModelSource("pvc://models")).toEqual({ kind: "pvc", claimName: "models" });
    expect(parseModelSource("pvc://models/")).toEqual({ kind: "pvc", claimName: "models" });
    expect(parseModelSource("pvc://models//a//b/")).toEqual({
      kind: "pvc",
      claimName: "models",
      subPath: "a/b",
    });
  });

  it.each([
    ["pvc://models/../etc", "must not contain"],
    ["pvc://Models/x", "not a valid PersistentVolumeClaim name"],
    ["pvc:///x", "not a valid PersistentVolumeClaim name"],
    ["builtin://large", "only builtin://default"],
    ["ftp://host/x", "must start with"],
    ["https://", "not a valid URI"],
  ])("rejects %s with a field error", (uri, message) => {
    expect(() => parseModelSource(uri)).toThrow(DesiredInputError);
    expect(() => parseModelSource(uri)).toThrow(message);
    try {
      parseModelSource(uri);
    } catch (error) {
      expect((error as DesiredInputError).field).toBe("ModelDeployment spec.model.source.uri");
    }
  });

  it("https: an init container fetches into an emptyDir, bounded and verified", () => {
    const input = minimalInput();
    const pod = buildDeployment(input, "active").spec?.template.spec;
    expect(pod?.volumes).toContainEqual({ name: "model", emptyDir: {} });
    expect(pod?.initContainers).toHaveLength(1);
    const init = pod?.initContainers?.[0];
    expect(init?.image).toBe(pod?.containers[0]?.image);
    expect(init?.command).toBeUndefined();
    expect(init?.args).toEqual([
      "fetch-model",
      "--uri",
      "https://models.example.com/toxic-bert-3.1.0.tar.gz",
      "--sha256",
      input.model.spec.model.source.sha256,
      "--dest",
      "/models/model",
      "--timeout",
      "300",
    ]);
    expect(init?.volumeMounts).toEqual([
      { name: "model", mountPath: "/models/model" },
      { name: "tmp", mountPath: "/tmp" },
    ]);
    expect(pod?.containers[0]?.volumeMounts).toContainEqual({
      name: "model",
      mountPath: "/models/model",
      readOnly: true,
    });
  });

  it("oci: fetched like https, without --sha256 when none is given", () => {
    const input = minimalInput();
    input.model.spec.model.source = { uri: "oci://registry.example.com:5000/models/toxic-bert:3.1.0" };
    const init = buildDeployment(input, "active").spec?.template.spec?.initContainers?.[0];
    expect(init?.args).not.toContain("--sha256");
    expect(parseModelSource(input.model.spec.model.source.uri)).toMatchObject({
      kind: "download",
      host: "registry.example.com",
      port: 5000,
    });
    expect(parseModelSource("oci://ghcr.io/org/model:1")).toMatchObject({ port: 443 });
    expect(parseModelSource("http://models.internal/m.tar.gz")).toMatchObject({ port: 80 });
  });

  it("builtin://default uses the model inside the image: no volume, no download, no VIGIL_MODEL_DIR", () => {
    const input = minimalInput();
    input.model.spec.model.source = { uri: "builtin://default" };
    const deployment = buildDeployment(input, "active");
    validateUpstream(deployment);
    const pod = deployment.spec?.template.spec;
    expect(pod?.initContainers).toBeUndefined();
    expect(pod?.volumes?.map((v) => v.name)).toEqual(["policy", "tmp"]);
    expect(pod?.containers[0]?.env?.map((e) => e.name)).not.toContain("VIGIL_MODEL_DIR");
  });
});
