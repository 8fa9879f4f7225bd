// The install paths (kustomize under config/, the Helm chart under charts/vigil) cannot be
// rendered here (no kustomize/helm binaries), so these tests check what can go wrong without
// them: missing files, objects that violate upstream schemas, operator flags that do not
// exist, and chart templates that read values the chart does not define.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { operatorArgsError } from "../gitops/operator-args.js";

const ROOT = join(import.meta.dirname, "../..");
const MODELS: Record<string, new (obj: never) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "v1/Service": Service,
  "v1/ServiceAccount": ServiceAccount,
  "v1/Namespace": Namespace,
  "rbac.authorization.k8s.io/v1/ClusterRole": ClusterRole,
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": ClusterRoleBinding,
};

/** All object files a kustomization pulls in, following directory bases. */
function kustomizeFiles(dir: string): string[] {
  const k = parse(readFileSync(join(dir, "kustomization.yaml"), "utf8")) as { resources: string[] };
  return k.resources.flatMap((r) => {
    const path = join(dir, r);
    if (!existsSync(path)) throw new Error(`${dir}/kustomization.yaml: resource ${r} does not exist`);
    return existsSync(join(path, "kustomization.yaml")) ? kustomizeFiles(path) : [path];
  });
}

describe("kustomize install (config/default)", () => {
  const files = kustomizeFiles(join(ROOT, "config/default"));
  const objects = files.flatMap((f) =>
    parseAllDocuments(readFileSync(f, "utf8")).map((d) => ({ file: f, obj: d.toJS() })),
  );

  it("pulls in the CRDs, RBAC and the operator", () => {
    const kinds = objects.map(({ obj }) => obj.kind).sort();
    expect(kinds).toEqual(
      expect.arrayContaining([
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "Deployment",
        "Namespace",
        "Service",
        "ServiceAccount",
      ]),
    );
    expect(objects.filter(({ obj }) => obj.kind === "CustomResourceDefinition")).toHaveLength(3);
  });

  it("contains only objects valid under the upstream schemas", () => {
    for (const { file, obj } of objects) {
      if (obj.kind === "CustomResourceDefinition") continue; // covered by crd-manifests.test.ts
      const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
      expect(Model, `${file}: no schema for ${obj.apiVersion} ${obj.kind}`).toBeDefined();
      expect(() => new Model!(obj as never).validate(), file).not.toThrow();
    }
  });

  it("runs the operator with flags it accepts, non-root and read-only", () => {
    const deployment = objects.find(({ obj }) => obj.kind === "Deployment")!.obj;
    const container = deployment.spec.template.spec.containers[0];
    expect(operatorArgsError(container.args)).toBeUndefined();
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
  });

  it("binds the role to the service account it runs as", () => {
    const binding = objects.find(({ obj }) => obj.kind === "ClusterRoleBinding")!.obj;
    const role = objects.find(({ obj }) => obj.kind === "ClusterRole")!.obj;
    const deployment = objects.find(({ obj }) => obj.kind === "Deployment")!.obj;
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects[0].name).toBe(deployment.spec.template.spec.serviceAccountName);
  });

  it("detects a flag the operator does not have", () => {
    expect(operatorArgsError(["--no-such-flag"])).toMatch(/unknown option/);
  });
});

describe("Helm chart (charts/vigil)", () => {
  const chart = join(ROOT, "charts/vigil");
  const values = parse(readFileSync(join(chart, "values.yaml"), "utf8"));
  const templates = readdirSync(join(chart, "templates")).filter((f) => /\.(yaml|tpl|txt)$/.test(f));
  const lookup = (path: string): unknown =>
    path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], values);

  it("has Chart.yaml and the CRDs in crds/", () => {
    const meta = parse(readFileSync(join(chart, "Chart.yaml"), "utf8"));
    expect(meta).toMatchObject({ apiVersion: "v2", name: "vigil" });
    expect(readdirSync(join(chart, "crds")).sort()).toEqual(
      readdirSync(join(ROOT, "config/crd/bases")).sort(),
    );
  });

  it("reads only values that values.yaml defines", () => {
    const used = new Set<string>();
    for (const file of templates) {
      for (const m of readFileSync(join(chart, "templates", file), "utf8").matchAll(
        /\.Values\.([A-Za-z0-9_.]+)/g,
      ))
        used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((path) => lookup(path) === undefined)).toEqual([]);
  });

  it("passes the operator only flags it accepts (default values)", () => {
    const text = readFileSync(join(chart, "templates/deployment.yaml"), "utf8");
    const args = [...text.matchAll(/^\s+- (--[a-z-]+=.*)$/gm)].map(([, arg]) =>
      arg!.replace(/\{\{\s*(.+?)\s*\}\}/g, (_, expr: string) => {
        const join_ = /^join "," \.Values\.([\w.]+)$/.exec(expr);
        if (join_) return (lookup(join_[1]!) as string[]).join(",");
        const value = /^\.Values\.([\w.]+)$/.exec(expr);
        if (value) return String(lookup(value[1]!));
        if (expr === 'include "vigil.fullname" .') return "release-operator";
        throw new Error(`test does not know how to render {{ ${expr} }}: extend it`);
      }),
    );
    expect(args.length).toBeGreaterThan(5);
    expect(operatorArgsError(args)).toBeUndefined();
  });

  it("keeps the generated ClusterRole in step with kustomize's", () => {
    const helmRules = parse(
      readFileSync(join(chart, "templates/clusterrole.yaml"), "utf8")
        .replace(/^\{\{-.*\}\}\n/gm, "") // {{- if ... }} / {{- end }} lines
        .replace(/\{\{.*?\}\}/g, "x"),
    ).rules;
    const kustomizeRules = parse(readFileSync(join(ROOT, "config/rbac/role.yaml"), "utf8")).rules;
    expect(helmRules).toEqual(kustomizeRules);
  });
});
