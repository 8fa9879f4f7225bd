// Vigil's Grafana dashboards, built here (one panel helper instead of hand-kept JSON) and
// written to monitoring/dashboards/*.json by `npm run gen`. Every query goes through the
// templated Prometheus datasource `${datasource}`, so they import into any Grafana.

const DATASOURCE = { type: "prometheus", uid: "${datasource}" } as const;
const RUNTIME = 'job="vigil-runtime", namespace=~"$namespace", moderationservice=~"$moderationservice"';
const API_ROUTES = 'route!~"/metrics|/live|/ready|/startup|/v2/health/.*"';
const OPERATOR = 'job="vigil-operator"';

interface Target {
  expr: string;
  legend: string;
}

interface PanelSpec {
  title: string;
  description: string;
  unit: string;
  targets: Target[];
  /** Grid width in 24ths; panels flow left to right, 8 high. */
  width?: number;
  type?: "timeseries" | "stat";
}

function panels(specs: PanelSpec[]): Record<string, unknown>[] {
  let x = 0;
  let y = 0;
  return specs.map((spec, i) => {
    const w = spec.width ?? 12;
    if (x + w > 24) {
      x = 0;
      y += 8;
    }
    const gridPos = { h: 8, w, x, y };
    x += w;
    return {
      id: i + 1,
      type: spec.type ?? "timeseries",
      title: spec.title,
      description: spec.description,
      datasource: DATASOURCE,
      gridPos,
      fieldConfig: { defaults: { unit: spec.unit }, overrides: [] },
      options: { legend: { displayMode: "list", placement: "bottom" }, tooltip: { mode: "multi" } },
      targets: spec.targets.map((t, j) => ({
        datasource: DATASOURCE,
        expr: t.expr,
        legendFormat: t.legend,
        refId: String.fromCharCode(65 + j),
      })),
    };
  });
}

function queryVariable(name: string, label: string, query: string): Record<string, unknown> {
  return {
    name,
    label,
    type: "query",
    datasource: DATASOURCE,
    definition: query,
    query: { query, refId: `${name}-query` },
    refresh: 2,
    includeAll: true,
    multi: true,
    current: {},
    sort: 1,
  };
}

const DATASOURCE_VARIABLE = {
  name: "datasource",
  label: "Data source",
  type: "datasource",
  query: "prometheus",
  current: {},
  hide: 0,
};

const RUNTIME_VARIABLES = [
  DATASOURCE_VARIABLE,
  queryVariable(
    "namespace",
    "Namespace",
    'label_values(vigil_http_requests_total{job="vigil-runtime"}, namespace)',
  ),
  queryVariable(
    "moderationservice",
    "ModerationService",
    'label_values(vigil_http_requests_total{job="vigil-runtime", namespace=~"$namespace"}, moderationservice)',
  ),
];

function dashboard(uid: string, title: string, variables: unknown[], specs: PanelSpec[]) {
  return {
    uid,
    title,
    tags: ["vigil"],
    editable: true,
    schemaVersion: 39,
    version: 1,
    refresh: "30s",
    time: { from: "now-6h", to: "now" },
    timezone: "",
    templating: { list: variables },
    annotations: { list: [] },
    panels: panels(specs),
  };
}

const quantiles = (metric: string, selector: string, by = "") =>
  [0.5, 0.95, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (le${by}) (rate(${metric}_bucket{${selector}}[$__rate_interval])))`,
    legend: `p${q * 100}${by ? ` {{${by.replace(/^, /, "")}}}` : ""}`,
  }));

export const RUNTIME_DASHBOARD = dashboard(
  "vigil-runtime",
  "Vigil / Runtime performance",
  RUNTIME_VARIABLES,
  [
    {
      title: "Requests by status code",
      description: "API requests per second (probes and /metrics excluded).",
      unit: "reqps",
      targets: [
        {
          expr: `sum by (code) (rate(vigil_http_requests_total{${RUNTIME}, ${API_ROUTES}}[$__rate_interval]))`,
          legend: "{{code}}",
        },
      ],
    },
    {
      title: "Error ratio (5xx)",
      description: "Share of requests answered 5xx; alert VigilRuntimeHighErrorRate fires above 5%.",
      unit: "percentunit",
      targets: [
        {
          expr:
            `sum by (moderationservice) (rate(vigil_http_requests_total{${RUNTIME}, code=~"5.."}[$__rate_interval]))` +
            ` / sum by (moderationservice) (rate(vigil_http_requests_total{${RUNTIME}}[$__rate_interval]))`,
          legend: "{{moderationservice}}",
        },
      ],
    },
    {
      title: "Request latency",
      description: "API request latency quantiles; the SLO in alerts.yaml is p95 under 250ms.",
      unit: "s",
      targets: quantiles("vigil_http_request_duration_seconds", `${RUNTIME}, ${API_ROUTES}`),
    },
    {
      title: "Inference time per batch",
      description: "Time one batch spends in tokenisation and onnxruntime.",
      unit: "s",
      targets: quantiles("vigil_inference_duration_seconds", RUNTIME),
    },
    {
      title: "Batch size",
      description: "Texts per inference batch formed by the dynamic batcher.",
      unit: "short",
      targets: quantiles("vigil_batch_size", RUNTIME),
    },
    {
      title: "Batcher queue",
      description: "Texts waiting for a worker, and texts rejected with 503 because the queue was full.",
      unit: "short",
      targets: [
        { expr: `sum by (pod) (vigil_queue_depth{${RUNTIME}})`, legend: "queued {{pod}}" },
        {
          expr: `sum (rate(vigil_queue_rejections_total{${RUNTIME}}[$__rate_interval]))`,
          legend: "rejected/s",
        },
        {
          expr: `sum by (reason) (rate(vigil_shed_requests_total{${RUNTIME}}[$__rate_interval]))`,
          legend: "shed/s {{reason}}",
        },
      ],
    },
    {
      title: "Result cache hit ratio",
      description: "Redis result cache hits over lookups.",
      unit: "percentunit",
      targets: [
        {
          expr:
            `sum (rate(vigil_cache_hits_total{${RUNTIME}}[$__rate_interval])) / (sum (rate(vigil_cache_hits_total{${RUNTIME}}[$__rate_interval]))` +
            ` + sum (rate(vigil_cache_misses_total{${RUNTIME}}[$__rate_interval])))`,
          legend: "hit ratio",
        },
      ],
    },
    {
      title: "Redis and Postgres",
      description: "1 while connected; the decision log buffers in memory while Postgres is down.",
      unit: "short",
      targets: [
        { expr: `min by (pod) (vigil_redis_up{${RUNTIME}})`, legend: "redis up {{pod}}" },
        { expr: `min by (pod) (vigil_decision_log_up{${RUNTIME}})`, legend: "decision log up {{pod}}" },
      ],
    },
    {
      title: "Decision log buffer",
      description: "Decisions buffered in memory against the buffer's capacity, and drops.",
      unit: "short",
      targets: [
        { expr: `sum by (pod) (vigil_decision_log_buffered{${RUNTIME}})`, legend: "buffered {{pod}}" },
        { expr: `max (vigil_decision_log_buffer_capacity{${RUNTIME}})`, legend: "capacity" },
        {
          expr: `sum (rate(vigil_decision_log_dropped_total{${RUNTIME}}[$__rate_interval]))`,
          legend: "dropped/s",
        },
      ],
    },
    {
      title: "Memory and CPU",
      description: "Resident memory and CPU of each runtime pod's Node.js process.",
      unit: "bytes",
      targets: [
        { expr: `vigil_process_resident_memory_bytes{${RUNTIME}}`, legend: "rss {{pod}}" },
        {
          expr: `rate(vigil_process_cpu_seconds_total{${RUNTIME}}[$__rate_interval])`,
          legend: "cpu {{pod}}",
        },
      ],
    },
  ],
);

export const DECISIONS_DASHBOARD = dashboard("vigil-decisions", "Vigil / Decisions", RUNTIME_VARIABLES, [
  {
    title: "Decisions by action",
    description: "Decisions per second by the action applied (allow, review, block...).",
    unit: "short",
    targets: [
      {
        expr: `sum by (action) (rate(vigil_decisions_total{${RUNTIME}}[$__rate_interval]))`,
        legend: "{{action}}",
      },
    ],
  },
  {
    title: "Decisions by category",
    description:
      "Decisions per second by the category of their strictest reason ('none': the default action).",
    unit: "short",
    targets: [
      {
        expr: `sum by (category) (rate(vigil_decisions_total{${RUNTIME}}[$__rate_interval]))`,
        legend: "{{category}}",
      },
    ],
  },
  {
    title: "Decisions by model version",
    description:
      "Decisions per second by the model version of the pod that made them (the app.kubernetes.io/version pod label).",
    unit: "short",
    targets: [
      {
        expr: `sum by (model_version, action) (rate(vigil_decisions_total{${RUNTIME}}[$__rate_interval]))`,
        legend: "{{model_version}} {{action}}",
      },
    ],
  },
  {
    title: "Share of non-allow decisions",
    description: "Decisions whose action is not allow, over all decisions.",
    unit: "percentunit",
    targets: [
      {
        expr:
          `sum by (moderationservice) (rate(vigil_decisions_total{${RUNTIME}, action!="allow"}[$__rate_interval]))` +
          ` / sum by (moderationservice) (rate(vigil_decisions_total{${RUNTIME}}[$__rate_interval]))`,
        legend: "{{moderationservice}}",
      },
    ],
  },
  {
    title: "Loaded models",
    description: "The model each pod serves (vigil_model_info labels).",
    unit: "short",
    type: "stat",
    targets: [
      {
        expr: `count by (model, version, provider) (vigil_model_info{${RUNTIME}})`,
        legend: "{{model}} {{version}} ({{provider}})",
      },
    ],
  },
  {
    title: "Policy in force",
    description: "Generation of the Policy each pod applies; rejected revisions show as reload failures.",
    unit: "short",
    targets: [
      { expr: `max by (policy) (vigil_policy_generation{${RUNTIME}})`, legend: "generation {{policy}}" },
      {
        expr: `sum (increase(vigil_policy_reload_failures_total{${RUNTIME}}[$__rate_interval]))`,
        legend: "reload failures",
      },
    ],
  },
]);

export const OPERATOR_DASHBOARD = dashboard(
  "vigil-operator",
  "Vigil / Operator health",
  [DATASOURCE_VARIABLE],
  [
    {
      title: "Reconciles by controller and result",
      description: "Reconcile calls per second.",
      unit: "ops",
      targets: [
        {
          expr: `sum by (controller, result) (rate(vigil_operator_reconcile_duration_seconds_count{${OPERATOR}}[$__rate_interval]))`,
          legend: "{{controller}} {{result}}",
        },
      ],
    },
    {
      title: "Reconcile errors",
      description: "Share of reconciles that failed; alert VigilOperatorReconcileErrors fires above 10%.",
      unit: "percentunit",
      targets: [
        {
          expr:
            `sum by (controller) (rate(vigil_operator_reconcile_duration_seconds_count{${OPERATOR}, result="error"}[$__rate_interval]))` +
            ` / sum by (controller) (rate(vigil_operator_reconcile_duration_seconds_count{${OPERATOR}}[$__rate_interval]))`,
          legend: "{{controller}}",
        },
      ],
    },
    {
      title: "Reconcile duration",
      description: "Reconcile latency quantiles by controller.",
      unit: "s",
      targets: quantiles("vigil_operator_reconcile_duration_seconds", OPERATOR, ", controller"),
    },
    {
      title: "Work queue",
      description: "Keys waiting per controller, with adds and backoff retries.",
      unit: "short",
      targets: [
        {
          expr: `max by (controller) (vigil_operator_workqueue_depth{${OPERATOR}})`,
          legend: "depth {{controller}}",
        },
        {
          expr: `sum by (controller) (rate(vigil_operator_workqueue_adds_total{${OPERATOR}}[$__rate_interval]))`,
          legend: "adds/s {{controller}}",
        },
        {
          expr: `sum by (controller) (rate(vigil_operator_workqueue_retries_total{${OPERATOR}}[$__rate_interval]))`,
          legend: "retries/s {{controller}}",
        },
      ],
    },
    {
      title: "Kubernetes API requests",
      description: "Requests to the API server by verb and status code ('error': no response).",
      unit: "reqps",
      targets: [
        {
          expr: `sum by (verb, code) (rate(vigil_operator_api_requests_total{${OPERATOR}}[$__rate_interval]))`,
          legend: "{{verb}} {{code}}",
        },
      ],
    },
    {
      title: "Leader and informers",
      description: "Which replica holds the Lease; informer caches synced and watch restarts.",
      unit: "short",
      targets: [
        { expr: `max by (pod) (vigil_operator_leader{${OPERATOR}})`, legend: "leader {{pod}}" },
        {
          expr: `min by (resource) (vigil_operator_informer_synced{${OPERATOR}})`,
          legend: "synced {{resource}}",
        },
        {
          expr: `sum by (resource) (increase(vigil_operator_informer_restarts_total{${OPERATOR}}[$__rate_interval]))`,
          legend: "restarts {{resource}}",
        },
      ],
    },
    {
      title: "Events written",
      description: "Kubernetes Event writes by outcome.",
      unit: "short",
      targets: [
        {
          expr: `sum by (outcome) (rate(vigil_operator_events_written_total{${OPERATOR}}[$__rate_interval]))`,
          legend: "{{outcome}}",
        },
      ],
    },
    {
      title: "Rollouts and backups",
      description: "Rollbacks, artifact verification failures and backup failures per resource.",
      unit: "short",
      targets: [
        {
          expr: `sum by (namespace, name, reason) (increase(vigil_operator_rollbacks_total{${OPERATOR}}[1h]))`,
          legend: "rollback {{namespace}}/{{name}} {{reason}}",
        },
        {
          expr: `sum by (namespace, name, reason) (increase(vigil_operator_artifact_failures_total{${OPERATOR}}[1h]))`,
          legend: "artifact {{namespace}}/{{name}} {{reason}}",
        },
        {
          expr: `sum by (namespace, name, reason) (increase(vigil_operator_backup_failures_total{${OPERATOR}}[1h]))`,
          legend: "backup failed {{namespace}}/{{name}}",
        },
      ],
    },
  ],
);

export function renderDashboards(): Map<string, string> {
  const all = {
    "runtime.json": RUNTIME_DASHBOARD,
    "decisions.json": DECISIONS_DASHBOARD,
    "operator.json": OPERATOR_DASHBOARD,
  };
  return new Map(Object.entries(all).map(([file, d]) => [file, `${JSON.stringify(d, null, 2)}\n`]));
}
