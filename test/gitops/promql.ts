// The metric names a PromQL expression reads. Not a full PromQL parser: it removes what cannot
// be a metric name (strings, label matchers, grouping clauses, ranges, durations, numbers,
// function calls, keywords) and keeps the identifiers left. The test of this module shows the
// forms the alerts and dashboards use.

const KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "and",
  "or",
  "unless",
  "offset",
  "atan2",
  "inf",
  "nan",
]);

/** Grafana variables and Prometheus template syntax that may appear inside queries. */
function stripGrafana(expr: string): string {
  return expr.replace(/\$__\w+/g, "1m").replace(/\$\{?\w+\}?/g, "x");
}

export function metricNames(expr: string): string[] {
  const text = stripGrafana(expr)
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // strings
    .replace(/\{[^}]*\}/g, " ") // label matchers
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ") // label lists
    .replace(/\[[^\]]*\]/g, " ") // ranges and subqueries
    .replace(/\b\d+(\.\d+)?(ms|s|m|h|d|w|y)\b/g, " ") // durations
    .replace(/\b\d+(\.\d+)?(e[+-]?\d+)?\b/g, " "); // numbers
  const names = new Set<string>();
  for (const m of text.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = m[0];
    const next = text.slice(m.index + word.length).trimStart();
    if (next.startsWith("(")) continue; // a function or aggregation
    if (KEYWORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names].sort();
}

/** Metric names in a Grafana `label_values(metric{...}, label)` variable query. */
export function variableMetricNames(query: string): string[] {
  const m = /^label_values\((.*),\s*\w+\)$/.exec(query.trim());
  return m ? metricNames(m[1]!) : metricNames(query);
}

/** A histogram's series (_bucket, _count, _sum) belong to the histogram's name. */
export function baseMetricName(series: string, histograms: ReadonlySet<string>): string {
  const m = /^(.*)_(bucket|count|sum)$/.exec(series);
  return m && histograms.has(m[1]!) ? m[1]! : series;
}
