import { describe, expect, it } from "vitest";
import { buildDeployment } from "./deployment.js";
import { DesiredInputError } from "./errors.js";
import { fullInput, minimalInput } from "./fixtures.js";
import { parseModelSource } from "./model-source.js";
import { validateUpstream } from "./testing/upstream.js";

describe("model sources", () => {
  it("pvc://claim/path mounts the claim read-only at the subPath; with sha256, fetch-model verifies it first", () => {
    const input = fullInput();
    const deployment = buildDeployment(input, "active");
    validateUpstream(deployment);
    const pod = deployment.spec?.template.spec;
    const mount = { name: "model", mountPath: "/models/model", readOnly: true, subPath: "toxic-bert/3.1.0" };
    expect(pod?.volumes).toContainEqual({
      name: "model",
      persistentVolumeClaim: { claimName: "models", readOnly: true },
    });
    expect(pod?.containers[0]?.volumeMounts).toContainEqual(mount);
    expect(pod?.containers[0]?.env).toContainEqual({ name: "VIGIL_MODEL_DIR", value: "/models/model" });
    expect(pod?.initContainers?.map((c) => c.name)).toEqual(["fetch-model"]);
    const verify = pod!.initContainers![0]!;
    expect(verify.args).toEqual([
      "fetch-model",
      "--verify-dir",
      "/models/model",
      "--sha256",
      input.model.spec.model.source.sha256,
      "--timeout",
      "120",
    ]);
    expect(verify.volumeMounts).toContainEqual(mount);
    expect(verify.terminationMessagePolicy).toBe("FallbackToLogsOnError");
    expect(verify.terminationMessagePath).toBeUndefined();

    delete input.model.spec.model.source.sha256;
    expect(buildDeployment(input, "active").spec?.template.spec?.initContainers).toBeUndefined();
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

  it("https: fetch-model downloads into an emptyDir sized from spec.model.source.size and renames onto the model path", () => {
    const input = minimalInput();
    const deployment = buildDeployment(input, "active");
    validateUpstream(deployment);
    const pod = deployment.spec?.template.spec;
    // Default size 2Gi; the archive and the unpacked directory coexist while unpacking.
    expect(pod?.volumes).toContainEqual({ name: "model", emptyDir: { sizeLimit: "4Gi" } });
    expect(pod?.initContainers).toHaveLength(1);
    const init = pod?.initContainers?.[0];
    expect(init?.name).toBe("fetch-model");
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
      "--max-bytes",
      String(2 * 1024 ** 3),
    ]);
    expect(init?.terminationMessagePolicy).toBe("FallbackToLogsOnError");
    expect(init?.volumeMounts).toEqual([
      { name: "model", mountPath: "/models" },
      { name: "tmp", mountPath: "/tmp" },
    ]);
    expect(pod?.containers[0]?.volumeMounts).toContainEqual({
      name: "model",
      mountPath: "/models/model",
      readOnly: true,
      subPath: "model",
    });
  });

  it.each([
    ["500Mi", "524288000", "1000Mi"],
    ["3G", "3000000000", "6G"],
    [1048576, "1048576", "2Mi"],
  ] as const)("size %s bounds --max-bytes (%s) and the emptyDir (%s)", (size, maxBytes, sizeLimit) => {
    const input = minimalInput();
    input.model.spec.model.source.size = size;
    const pod = buildDeployment(input, "active").spec?.template.spec;
    const args = pod?.initContainers?.[0]?.args ?? [];
    expect(args[args.indexOf("--max-bytes") + 1]).toBe(maxBytes);
    expect(pod?.volumes).toContainEqual({ name: "model", emptyDir: { sizeLimit } });
  });

  it("rejects a size that is not a quantity, naming the field", () => {
    const input = minimalInput();
    input.model.spec.model.source.size = "lots";
    expect(() => buildDeployment(input, "active")).toThrow(DesiredInputError);
    expect(() => buildDeployment(input, "active")).toThrow(/spec\.model\.source\.size/);
  });

  it("https with auth mounts only the Secret's key and passes it to fetch-model, not to the runtime", () => {
    const input = minimalInput();
    input.model.spec.model.source.auth = { secretName: "registry", key: "creds", type: "Basic" };
    const pod = buildDeployment(input, "active").spec?.template.spec;
    expect(pod?.volumes).toContainEqual({
      name: "model-auth",
      secret: { secretName: "registry", items: [{ key: "creds", path: "creds" }] },
    });
    const init = pod?.initContainers?.[0];
    expect(init?.args?.slice(-4)).toEqual([
      "--auth-file",
      "/etc/vigil/model-auth/creds",
      "--auth-type",
      "basic",
    ]);
    expect(init?.volumeMounts).toContainEqual({
      name: "model-auth",
      mountPath: "/etc/vigil/model-auth",
      readOnly: true,
    });
    expect(pod?.containers[0]?.volumeMounts?.map((m) => m.name)).not.toContain("model-auth");
  });

  it("https with a cache mounts the claim into fetch-model only, passes --cache-dir and halves the emptyDir", () => {
    const input = minimalInput();
    const before = buildDeployment(input, "active");
    input.model.spec.model.source.cache = { pvc: "model-cache" };
    const deployment = buildDeployment(input, "active");
    validateUpstream(deployment);
    const pod = deployment.spec?.template.spec;
    expect(pod?.volumes).toContainEqual({
      name: "model-cache",
      persistentVolumeClaim: { claimName: "model-cache" },
    });
    // The archive and its unpacked copy live on the claim; the emptyDir holds the model once.
    expect(pod?.volumes).toContainEqual({ name: "model", emptyDir: { sizeLimit: "2Gi" } });
    const init = pod?.initContainers?.[0];
    expect(init?.args?.slice(-2)).toEqual(["--cache-dir", "/var/cache/vigil/models"]);
    expect(init?.volumeMounts).toEqual([
      { name: "model", mountPath: "/models" },
      { name: "model-cache", mountPath: "/var/cache/vigil/models" },
      { name: "tmp", mountPath: "/tmp" },
    ]);
    expect(pod?.containers[0]?.volumeMounts?.map((m) => m.name)).not.toContain("model-cache");
    // Entries are keyed by sha256: the model is the same, so the revision is too (updated in place).
    expect(deployment.metadata?.name).toBe(before.metadata?.name);
  });

  it("oci: copy-model copies the image's /models into an emptyDir, then fetch-model verifies it", () => {
    const input = minimalInput();
    input.model.spec.model.source = {
      uri: "oci://registry.example.com:5000/models/toxic-bert:3.1.0",
      sha256: "b".repeat(64),
    };
    const deployment = buildDeployment(input, "active");
    validateUpstream(deployment);
    const pod = deployment.spec?.template.spec;
    expect(pod?.volumes).toContainEqual({ name: "model", emptyDir: { sizeLimit: "2Gi" } });
    expect(pod?.initContainers?.map((c) => c.name)).toEqual(["copy-model", "fetch-model"]);
    const [copy, verify] = pod!.initContainers!;
    expect(copy!.image).toBe(`registry.example.com:5000/models/toxic-bert:3.1.0@sha256:${"b".repeat(64)}`);
    expect(copy!.command).toEqual(["cp", "-R", "/models/.", "/vigil-model/"]);
    expect(copy!.volumeMounts).toEqual([{ name: "model", mountPath: "/vigil-model" }]);
    // The digest is pinned in the image reference; the verify step checks the model only.
    expect(verify!.args).toEqual(["fetch-model", "--verify-dir", "/models/model", "--timeout", "300"]);
    expect(pod?.containers[0]?.volumeMounts).toContainEqual({
      name: "model",
      mountPath: "/models/model",
      readOnly: true,
    });
  });

  it("oci with imageVolume mounts the image's /models as an image volume and verifies it", () => {
    const input = minimalInput();
    input.model.spec.model.source = {
      uri: "oci://ghcr.io/org/model@sha256:" + "c".repeat(64),
      imageVolume: true,
    };
    const deployment = buildDeployment(input, "active");
    validateUpstream(deployment);
    const pod = deployment.spec?.template.spec;
    expect(pod?.volumes).toContainEqual({
      name: "model",
      image: { reference: `ghcr.io/org/model@sha256:${"c".repeat(64)}`, pullPolicy: "IfNotPresent" },
    });
    expect(pod?.initContainers?.map((c) => c.name)).toEqual(["fetch-model"]);
    const mount = { name: "model", mountPath: "/models/model", readOnly: true, subPath: "models" };
    expect(pod?.containers[0]?.volumeMounts).toContainEqual(mount);
    expect(pod?.initContainers?.[0]?.volumeMounts).toContainEqual(mount);
    // The kubelet pulls the image: the pod needs no egress to the registry.
    expect(parseModelSource(input.model.spec.model.source.uri)).toEqual({
      kind: "oci",
      image: `ghcr.io/org/model@sha256:${"c".repeat(64)}`,
    });
    expect(parseModelSource("http://models.internal/m.tar.gz")).toMatchObject({ port: 80 });
  });

  it("adding size and imageVolume at their defaults keeps the revision hash", () => {
    const before = buildDeployment(minimalInput(), "active").metadata?.name;
    const input = minimalInput();
    input.model.spec.model.source.size = "2Gi";
    input.model.spec.model.source.imageVolume = false;
    expect(buildDeployment(input, "active").metadata?.name).toBe(before);
    input.model.spec.model.source.size = "3Gi";
    expect(buildDeployment(input, "active").metadata?.name).not.toBe(before);
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
