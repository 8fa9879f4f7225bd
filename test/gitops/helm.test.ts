// The Helm chart rendered by Helm itself: `helm lint` and `helm template` over every values file
// in charts/vigil/ci/, each rendered object validated against the upstream schemas, and
// values.schema.json rejecting what the chart does not know.
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { LOG_LEVELS } from "../../operator/core/logging.js";
import { goTool } from "../harness/go-tools.js";
import { schemaErrors, type KubeObject } from "../harness/k8s-schemas.js";
import { operatorArgsError } from "./operator-args.js";

const ROOT = join(import.meta.dirname, "../..");
const CHART = join(ROOT, "charts/vigil");
// A helm built with `go install` (no release ldflags) assumes Kubernetes v1.20 for
// .Capabilities, below the chart's kubeVersion; name a supported one, as `helm template` users do.
const KUBE_VERSION = ["--kube-version", "1.33.0"];
const VALUES_FILES = readdirSync(join(CHART, "ci")).filter((f) => f.endsWith(".yaml"));

function helm(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(goTool("helm"), args, {
    encoding: "utf8",
    env: { ...process.env, HELM_CACHE_HOME: "/tmp/vigil-helm-cache" },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function template(extra: string[]): KubeObject[] {
  const run = helm([
    "template",
    "vigil",
    CHART,
    "--namespace",
    "vigil-system",
    "--include-crds",
    ...KUBE_VERSION,
    ...extra,
  ]);
  if (run.code !== 0) throw new Error(`helm template ${extra.join(" ")} failed: ${run.stderr}`);
  return parseAllDocuments(run.stdout)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
}

interface OperatorContainer {
  image: string;
  args: string[];
}
const operatorContainer = (objects: KubeObject[]) =>
  (
    objects.find((o) => o.kind === "Deployment") as unknown as {
      spec: { template: { spec: { containers: OperatorContainer[] } } };
    }
  ).spec.template.spec.containers[0]!;

describe("Helm chart (rendered by helm)", () => {
  it("passes helm lint --strict with every values file", () => {
    for (const file of VALUES_FILES) {
      const run = helm(["lint", "--strict", ...KUBE_VERSION, CHART, "-f", join(CHART, "ci", file)]);
      expect(run.code, `${file}: ${run.stdout}${run.stderr}`).toBe(0);
    }
  });

  for (const file of VALUES_FILES) {
    describe(file, () => {
      const values = (parse(readFileSync(join(CHART, "ci", file), "utf8")) ?? {}) as Record<string, never>;
      const objects = template(["-f", join(CHART, "ci", file)]);

      it("renders only objects valid under the upstream schemas", () => {
        expect(objects.length).toBeGreaterThan(5);
        expect(schemaErrors(objects)).toEqual([]);
      });

      it("runs the operator with flags it accepts and the runtime image from the values", () => {
        const container = operatorContainer(objects);
        expect(operatorArgsError(container.args)).toBeUndefined();
        const runtimeImage = (values.runtimeImage as string | undefined) ?? "vigil-runtime:0.1.0";
        expect(container.args).toContain(`--runtime-image=${runtimeImage}`);
      });

      it("installs the three CRDs and every namespaced object in the release namespace", () => {
        expect(objects.filter((o) => o.kind === "CustomResourceDefinition")).toHaveLength(3);
        const namespaced = objects.filter((o) =>
          ["Deployment", "Service", "ServiceAccount", "ConfigMap"].includes(o.kind),
        );
        for (const o of namespaced)
          expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe("vigil-system");
      });

      it("grants the operator a ClusterRole, or Roles in exactly the watched namespaces", () => {
        const watched = (values.watchNamespaces as string[] | undefined) ?? [];
        const sa = objects.find((o) => o.kind === "ServiceAccount")!.metadata.name;
        const bindings = objects.filter((o) => o.kind === "ClusterRoleBinding" || o.kind === "RoleBinding");
        for (const b of bindings) {
          const subjects = (b as unknown as { subjects: { name: string; namespace: string }[] }).subjects;
          expect(subjects, b.metadata.name).toEqual([
            expect.objectContaining({ name: sa, namespace: "vigil-system" }),
          ]);
        }
        const roles = objects.filter((o) => o.kind === "Role");
        if (watched.length === 0) {
          expect(objects.filter((o) => o.kind === "ClusterRoleBinding")).toHaveLength(1);
          expect(roles).toEqual([]);
        } else {
          expect(objects.filter((o) => o.kind === "ClusterRoleBinding")).toEqual([]);
          expect(roles.map((r) => r.metadata.namespace).sort()).toEqual([...watched, "vigil-system"].sort());
          expect(operatorContainer(objects).args).toContain(`--namespaces=${watched.join(",")}`);
        }
      });

      it("renders the Prometheus and Grafana objects only when enabled", () => {
        const enabled = (key: string) => (values[key] as { enabled?: boolean } | undefined)?.enabled === true;
        const count = (kind: string) => objects.filter((o) => o.kind === kind).length;
        expect(count("ServiceMonitor")).toBe(enabled("serviceMonitor") ? 1 : 0);
        expect(count("PodMonitor")).toBe(enabled("podMonitor") ? 1 : 0);
        expect(count("PrometheusRule")).toBe(enabled("prometheusRule") ? 1 : 0);
        const dashboards = objects.filter(
          (o) => o.kind === "ConfigMap" && o.metadata.labels?.grafana_dashboard === "1",
        );
        expect(dashboards).toHaveLength(enabled("grafanaDashboards") ? 3 : 0);
        for (const d of dashboards) {
          for (const json of Object.values((d as unknown as { data: Record<string, string> }).data)) {
            expect(() => JSON.parse(json)).not.toThrow();
          }
        }
      });
    });
  }

  it("ships monitoring/alerts.yaml as the PrometheusRule, with the runbook links pointed where the values say", () => {
    const rule = template([
      "--set",
      "prometheusRule.enabled=true",
      "--set",
      "prometheusRule.runbookBaseUrl=https://wiki.example.com/vigil",
    ]).find((o) => o.kind === "PrometheusRule") as unknown as { spec: { groups: unknown } };
    const source = readFileSync(join(ROOT, "monitoring/alerts.yaml"), "utf8").replaceAll(
      "https://github.com/vigil-moderation/vigil/blob/main/docs/alerts.md",
      "https://wiki.example.com/vigil",
    );
    expect(rule.spec.groups).toEqual((parse(source) as { groups: unknown }).groups);
    expect(JSON.stringify(rule.spec.groups)).toContain("{{ $labels.namespace }}");
  });

  it("selects the operator's metrics Service with its ServiceMonitor", () => {
    const objects = template(["--set", "serviceMonitor.enabled=true"]);
    const monitor = objects.find((o) => o.kind === "ServiceMonitor") as unknown as {
      spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string }[] };
    };
    const service = objects.find((o) => o.kind === "Service") as unknown as KubeObject & {
      spec: { ports: { name: string }[] };
    };
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(service.spec.ports.map((p) => p.name)).toContain(monitor.spec.endpoints[0]!.port);
  });

  it("rejects unknown and mistyped values through values.schema.json", () => {
    for (const [set, field] of [
      ["nope=1", "nope"],
      ["image.nope=1", "nope"],
      ["serviceMonitor.enabeld=true", "enabeld"],
      ["logLevel=loud", "logLevel"],
      ["watchNamespaces[0]=Not_A_Namespace", "watchNamespaces"],
    ] as const) {
      const run = helm(["template", "vigil", CHART, ...KUBE_VERSION, "--set", set]);
      expect(run.code, set).not.toBe(0);
      expect(run.stderr, set).toMatch(/values don't meet the specifications of the schema/);
      expect(run.stderr, set).toContain(field);
    }
  });

  it("keeps the schema's log levels in step with the operator's", () => {
    const schema = JSON.parse(readFileSync(join(CHART, "values.schema.json"), "utf8"));
    expect(schema.properties.logLevel.enum).toEqual([...LOG_LEVELS]);
  });

  it("renders the CRDs as templates that Helm upgrades and uninstall keeps, when asked", () => {
    const run = helm([
      "template",
      "vigil",
      CHART,
      ...KUBE_VERSION,
      "--skip-crds",
      "--set",
      "crds.templated=true",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const crds = parseAllDocuments(run.stdout)
      .map((d) => d.toJS() as KubeObject | null)
      .filter((o): o is KubeObject => o?.kind === "CustomResourceDefinition");
    expect(schemaErrors(crds)).toEqual([]);
    for (const file of readdirSync(join(CHART, "crds"))) {
      const source = parse(readFileSync(join(CHART, "crds", file), "utf8")) as KubeObject;
      const rendered = crds.find((c) => c.metadata.name === source.metadata.name);
      expect(rendered?.metadata.annotations, file).toEqual({ "helm.sh/resource-policy": "keep" });
      expect({ ...rendered, metadata: source.metadata }, file).toEqual(source);
    }
    expect(crds).toHaveLength(3);
  });

  it("lists the CRDs it installs (and, as Helm does, never upgrades or deletes)", () => {
    const out = execFileSync(goTool("helm"), ["show", "crds", CHART], { encoding: "utf8" });
    // helm show crds concatenates the files without document separators.
    const names = [...out.matchAll(/^kind: CustomResourceDefinition\nmetadata:\n {2}name: (\S+)$/gm)].map(
      (m) => m[1],
    );
    expect(names.sort()).toEqual(
      readdirSync(join(ROOT, "config/crd/bases"))
        .map((f) => f.replace(/\.yaml$/, ""))
        .sort(),
    );
  });
});
