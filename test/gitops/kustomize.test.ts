// Every kustomization under config/ built by kustomize itself (the Go binary `kubectl apply -k`
// embeds), each object validated against the upstream schemas, and what each overlay promises:
// the runtime image reachable by `images:`, a single-namespace install without cluster-wide
// operator RBAC, Argo CD sync waves, Prometheus objects that select what the install creates.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { parseOperatorOptions } from "../../operator/cli.js";
import { goTool } from "../harness/go-tools.js";
import { schemaErrors, type KubeObject } from "../harness/k8s-schemas.js";
import { operatorArgsError } from "./operator-args.js";

const ROOT = join(import.meta.dirname, "../..");

function build(dir: string): KubeObject[] {
  const out = execFileSync(goTool("kustomize"), ["build", join(ROOT, dir)], { encoding: "utf8" });
  return parseAllDocuments(out).map((d) => d.toJS() as KubeObject);
}

interface Container {
  image: string;
  args: string[];
  env: { name: string; value?: string }[];
}
const operator = (objects: KubeObject[]) =>
  (
    objects.find((o) => o.kind === "Deployment") as unknown as {
      spec: { template: { spec: { containers: Container[] } } };
    }
  ).spec.template.spec.containers[0]!;
const env = (c: Container, name: string) => c.env.find((e) => e.name === name)?.value;
const named = (objects: KubeObject[], kind: string) =>
  objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);

const DIRS = [
  "config/default",
  "config/overlays/runtime-image",
  "config/overlays/single-namespace",
  "config/argocd",
  "config/prometheus",
];

describe("kustomize builds", () => {
  const built = new Map(DIRS.map((dir) => [dir, build(dir)]));

  for (const dir of DIRS) {
    it(`${dir}: only objects valid under the upstream schemas`, () => {
      const objects = built.get(dir)!;
      expect(objects.length).toBeGreaterThan(2);
      expect(schemaErrors(objects)).toEqual([]);
    });
  }

  for (const dir of DIRS.filter((d) => d !== "config/prometheus")) {
    it(`${dir}: runs the operator with flags it accepts, in vigil-system`, () => {
      const objects = built.get(dir)!;
      expect(operatorArgsError(operator(objects).args)).toBeUndefined();
      expect(objects.find((o) => o.kind === "Deployment")!.metadata.namespace).toBe("vigil-system");
      expect(named(objects, "CustomResourceDefinition")).toHaveLength(3);
    });
  }

  describe("the runtime image", () => {
    const saved = process.env.VIGIL_RUNTIME_IMAGE;
    afterEach(() => {
      if (saved === undefined) delete process.env.VIGIL_RUNTIME_IMAGE;
      else process.env.VIGIL_RUNTIME_IMAGE = saved;
    });

    /** The runtime image the operator would use, started as the Deployment starts it. */
    function operatorRuntimeImage(c: Container): string {
      process.env.VIGIL_RUNTIME_IMAGE = env(c, "VIGIL_RUNTIME_IMAGE");
      return parseOperatorOptions(["node", "moderation-operator", ...c.args]).runtimeImage;
    }

    it("is set by an images: entry in an overlay, like the operator's own image", () => {
      const c = operator(built.get("config/overlays/runtime-image")!);
      expect(c.image).toBe("registry.example.com/vigil/operator:0.1.0");
      expect(operatorRuntimeImage(c)).toBe("registry.example.com/vigil/runtime:0.1.0");
    });

    it("defaults to the released runtime image", () => {
      expect(operatorRuntimeImage(operator(built.get("config/default")!))).toBe("vigil-runtime:0.1.0");
    });

    it("still yields to an explicit --runtime-image flag", () => {
      process.env.VIGIL_RUNTIME_IMAGE = "from-env:1";
      expect(
        parseOperatorOptions(["node", "moderation-operator", "--runtime-image=from-flag:2"]).runtimeImage,
      ).toBe("from-flag:2");
    });
  });

  it("single-namespace: namespaced Roles and --namespaces, no cluster-wide operator RBAC", () => {
    const objects = built.get("config/overlays/single-namespace")!;
    expect(named(objects, "ClusterRoleBinding")).toEqual([]);
    expect(named(objects, "ClusterRole")).not.toContain("vigil-operator");
    const roles = objects
      .filter((o) => o.kind === "Role")
      .map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    expect(roles.sort()).toEqual(["trust/vigil-operator", "vigil-system/vigil-operator-leader-election"]);
    for (const b of objects.filter((o) => o.kind === "RoleBinding")) {
      expect((b as unknown as { subjects: unknown[] }).subjects).toEqual([
        { kind: "ServiceAccount", name: "vigil-operator", namespace: "vigil-system" },
      ]);
    }
    expect(operator(objects).args).toContain("--namespaces=trust");
  });

  it("argocd: CRDs sync in wave -1, before the operator in wave 0", () => {
    const objects = built.get("config/argocd")!;
    const wave = (o: KubeObject) => o.metadata.annotations?.["argocd.argoproj.io/sync-wave"];
    for (const crd of objects.filter((o) => o.kind === "CustomResourceDefinition"))
      expect(wave(crd)).toBe("-1");
    expect(wave(objects.find((o) => o.kind === "Deployment")!)).toBe("0");
  });

  it("prometheus: the ServiceMonitor selects the operator's metrics Service and port", () => {
    const monitor = built.get("config/prometheus")!.find((o) => o.kind === "ServiceMonitor") as unknown as {
      metadata: { namespace: string };
      spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string }[] };
    };
    const service = built
      .get("config/default")!
      .find((o) => o.kind === "Service") as unknown as KubeObject & {
      spec: { ports: { name: string }[] };
    };
    expect(monitor.metadata.namespace).toBe(service.metadata.namespace);
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(service.spec.ports.map((p) => p.name)).toContain(monitor.spec.endpoints[0]!.port);
  });

  it("installs the user ClusterRoles, aggregated into admin, edit and view", () => {
    const roles = built.get("config/default")!.filter((o) => o.kind === "ClusterRole");
    const aggregatesTo = (name: string) =>
      Object.keys(roles.find((r) => r.metadata.name === name)!.metadata.labels ?? {})
        .filter((l) => l.startsWith("rbac.authorization.k8s.io/aggregate-to-"))
        .map((l) => l.replace("rbac.authorization.k8s.io/aggregate-to-", ""))
        .sort();
    expect(aggregatesTo("vigil-admin")).toEqual(["admin"]);
    expect(aggregatesTo("vigil-editor")).toEqual(["admin", "edit"]);
    expect(aggregatesTo("vigil-viewer")).toEqual(["admin", "edit", "view"]);
    expect(named(built.get("config/default")!, "ClusterRole")).toEqual(
      expect.arrayContaining(["vigil-service-editor", "vigil-model-editor", "vigil-policy-editor"]),
    );
  });
});
