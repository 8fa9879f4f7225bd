// Vigil's alerts (monitoring/alerts.yaml) and dashboards (monitoring/dashboards/*.json):
// promtool checks the rules and runs their unit tests, every alert has a firing unit test and
// a runbook section, and every metric a query reads is one the operator or runtime exports.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { Histogram } from "prom-client";
import { OperatorMetrics } from "../../operator/core/metrics.js";
import { RuntimeMetrics } from "../../runtime/server/metrics.js";
import { goTool } from "../harness/go-tools.js";
import { baseMetricName, metricNames, variableMetricNames } from "./promql.js";

const ROOT = join(import.meta.dirname, "../..");
const MONITORING = join(ROOT, "monitoring");

/**
 * Operator metrics the alerts and dashboards use that other work adds (COMMON rollout and
 * backup contracts), with the labels the alerts read. Once the code exports one, the test
 * below checks its labels instead; delete an entry when it has landed.
 */
const PENDING_OPERATOR_METRICS: Record<string, string[]> = {
  vigil_operator_rollout_phase: ["namespace", "name", "phase"],
  vigil_operator_rollbacks_total: ["namespace", "name", "reason"],
  vigil_operator_artifact_failures_total: ["namespace", "name", "reason"],
  vigil_operator_backup_failures_total: ["namespace", "name", "reason"],
  vigil_operator_backup_last_success_timestamp_seconds: ["namespace", "name"],
};
/** Series Prometheus itself writes for every target. */
const PROMETHEUS_SERIES = new Set(["up"]);

interface Rule {
  alert?: string;
  expr: string;
  annotations?: Record<string, string>;
}
const groups = (
  parse(readFileSync(join(MONITORING, "alerts.yaml"), "utf8")) as { groups: { rules: Rule[] }[] }
).groups;
const alerts = groups.flatMap((g) => g.rules).filter((r) => r.alert);

interface Dashboard {
  uid: string;
  title: string;
  templating: { list: { name: string; type: string; query: unknown; datasource?: unknown }[] };
  panels: {
    id: number;
    title: string;
    datasource: unknown;
    gridPos: { x: number; w: number };
    targets: { expr: string; datasource: unknown }[];
  }[];
}
const dashboardFiles = readdirSync(join(MONITORING, "dashboards")).filter((f) => f.endsWith(".json"));
const dashboards = dashboardFiles.map((f) => ({
  file: f,
  json: JSON.parse(readFileSync(join(MONITORING, "dashboards", f), "utf8")) as Dashboard,
}));

function exportedMetrics() {
  const registries = [new OperatorMetrics({ processMetrics: true }).registry, new RuntimeMetrics().registry];
  const metrics = registries.flatMap((r) => r.getMetricsAsArray());
  return {
    names: new Set(metrics.map((m) => m.name)),
    histograms: new Set(metrics.filter((m) => m instanceof Histogram).map((m) => m.name)),
    labels: (name: string) =>
      (metrics.find((m) => m.name === name) as unknown as { labelNames: string[] } | undefined)?.labelNames,
  };
}

describe("alerts (promtool)", () => {
  it("pass promtool check rules", () => {
    const out = execFileSync(goTool("promtool"), ["check", "rules", join(MONITORING, "alerts.yaml")], {
      encoding: "utf8",
    });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("pass their promtool unit tests", () => {
    const tests = readdirSync(join(MONITORING, "tests")).map((f) => join(MONITORING, "tests", f));
    // Throws with promtool's report (which alert, expected vs got) when a test fails.
    execFileSync(goTool("promtool"), ["test", "rules", ...tests], { encoding: "utf8", stdio: "pipe" });
  });

  it("each have a unit test in which they fire", () => {
    const firing = new Set<string>();
    for (const f of readdirSync(join(MONITORING, "tests"))) {
      const file = parse(readFileSync(join(MONITORING, "tests", f), "utf8")) as {
        tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
      };
      for (const t of file.tests)
        for (const a of t.alert_rule_test ?? []) if (a.exp_alerts?.length) firing.add(a.alertname);
    }
    expect(alerts.map((a) => a.alert).filter((name) => !firing.has(name!))).toEqual([]);
  });

  it("cover what the operator is asked to alert on", () => {
    expect(alerts.map((a) => a.alert)).toEqual(
      expect.arrayContaining([
        "VigilRuntimeHighErrorRate",
        "VigilRuntimeLatencyAboveSLO",
        "VigilRuntimeNoTraffic",
        "VigilRuntimePodsDown",
        "VigilRuntimeQueueRejections",
        "VigilRuntimeRedisDown",
        "VigilDecisionLogBufferFilling",
        "VigilDecisionLogDropping",
        "VigilPolicyReloadFailing",
        "VigilRolloutRolledBack",
        "VigilArtifactVerificationFailing",
        "VigilBackupFailed",
        "VigilBackupStale",
        "VigilOperatorReconcileErrors",
        "VigilOperatorQueueBacklog",
        "VigilOperatorDown",
      ]),
    );
  });

  it("each link a runbook section of docs/alerts.md that exists", () => {
    const doc = readFileSync(join(ROOT, "docs/alerts.md"), "utf8");
    // GitHub's heading anchors: lower-case, punctuation dropped, spaces to dashes.
    const anchors = new Set(
      [...doc.matchAll(/^#{2,4} (.+)$/gm)].map(([, h]) =>
        h!
          .toLowerCase()
          .replace(/[^\w\- ]/g, "")
          .replace(/ /g, "-"),
      ),
    );
    for (const a of alerts) {
      const url = a.annotations?.runbook_url ?? "";
      expect(url, a.alert).toMatch(/docs\/alerts\.md#/);
      expect(anchors.has(url.split("#")[1]!), `${a.alert}: ${url}`).toBe(true);
      expect(a.annotations?.summary, a.alert).toBeTruthy();
    }
  });
});

describe("dashboards", () => {
  it("query in valid PromQL (promtool parses each as a recording rule)", () => {
    // Grafana's variables replaced by what Grafana would send for them.
    const promql = (expr: string) => expr.replaceAll("$__rate_interval", "5m").replace(/\$\w+/g, ".*");
    const rules = dashboards.flatMap(({ json }) =>
      json.panels.flatMap((p) =>
        p.targets.map((t, i) => ({
          record: `dashboard:${json.uid.replace(/-/g, "_")}:${p.id}_${i}`,
          expr: promql(t.expr),
        })),
      ),
    );
    const dir = mkdtempSync(join(tmpdir(), "vigil-dashboards-"));
    const file = join(dir, "dashboards.rules.yaml");
    writeFileSync(file, stringify({ groups: [{ name: "dashboards", rules }] }));
    const out = execFileSync(goTool("promtool"), ["check", "rules", file], {
      encoding: "utf8",
      stdio: "pipe",
    });
    expect(out).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it("are the three the docs describe", () => {
    expect(dashboards.map((d) => d.json.uid).sort()).toEqual([
      "vigil-decisions",
      "vigil-operator",
      "vigil-runtime",
    ]);
  });

  for (const { file, json } of dashboards) {
    it(`${file}: every panel queries the templated Prometheus datasource`, () => {
      const variable = json.templating.list.find((v) => v.type === "datasource");
      expect(variable).toMatchObject({ name: "datasource", query: "prometheus" });
      expect(json.panels.length).toBeGreaterThan(3);
      expect(new Set(json.panels.map((p) => p.id)).size).toBe(json.panels.length);
      for (const panel of json.panels) {
        expect(panel.targets.length, panel.title).toBeGreaterThan(0);
        expect(panel.datasource, panel.title).toEqual({ type: "prometheus", uid: "${datasource}" });
        expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
        for (const t of panel.targets) {
          expect(t.expr, panel.title).toBeTruthy();
          expect(t.datasource, panel.title).toEqual(panel.datasource);
        }
      }
    });
  }
});

describe("metrics the alerts and dashboards read", () => {
  const exported = exportedMetrics();
  const queries: { where: string; names: string[] }[] = [
    ...alerts.map((a) => ({ where: `alert ${a.alert}`, names: metricNames(a.expr) })),
    ...dashboards.flatMap(({ file, json }) => [
      ...json.panels.flatMap((p) =>
        p.targets.map((t) => ({ where: `${file}: ${p.title}`, names: metricNames(t.expr) })),
      ),
      ...json.templating.list
        .filter((v) => v.type === "query")
        .map((v) => ({
          where: `${file}: variable ${v.name}`,
          names: variableMetricNames((v.query as { query: string }).query),
        })),
    ]),
  ];

  it("are exported by the operator or the runtime", () => {
    const unknown = queries.flatMap(({ where, names }) =>
      names
        .map((n) => baseMetricName(n, exported.histograms))
        .filter(
          (n) => !exported.names.has(n) && !(n in PENDING_OPERATOR_METRICS) && !PROMETHEUS_SERIES.has(n),
        )
        .map((n) => `${where}: ${n}`),
    );
    expect(queries.flatMap((q) => q.names).length).toBeGreaterThan(40);
    expect(unknown).toEqual([]);
  });

  it("that have landed since they were listed as pending carry the labels the alerts read", () => {
    for (const [name, labels] of Object.entries(PENDING_OPERATOR_METRICS)) {
      const landed = exported.labels(name);
      if (landed) expect(landed, name).toEqual(expect.arrayContaining(labels));
    }
  });

  it("would catch a misspelt metric", () => {
    const names = metricNames("rate(vigil_http_request_total[5m])");
    expect(names.filter((n) => !exported.names.has(n))).toEqual(["vigil_http_request_total"]);
  });
});
