import { describe, expect, it } from "vitest";
import { baseMetricName, metricNames, variableMetricNames } from "./promql.js";

describe("metricNames", () => {
  it("finds the metrics of the forms the alerts and dashboards use", () => {
    expect(
      metricNames(
        'sum by (namespace, moderationservice) (rate(vigil_http_requests_total{job="vigil-runtime", code=~"5.."}[5m])) / sum by (namespace) (rate(vigil_http_requests_total[5m])) > 0.05',
      ),
    ).toEqual(["vigil_http_requests_total"]);
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le) (rate(vigil_http_request_duration_seconds_bucket{route!~"/metrics|/live"}[$__rate_interval])))',
      ),
    ).toEqual(["vigil_http_request_duration_seconds_bucket"]);
    expect(metricNames("time() - vigil_operator_backup_last_success_timestamp_seconds > 36 * 3600")).toEqual([
      "vigil_operator_backup_last_success_timestamp_seconds",
    ]);
    expect(
      metricNames(
        "max(a_leader) == 0 and on () count(b_leader) > 1 or (c unless c offset 15m) or absent(up == 1)",
      ),
    ).toEqual(["a_leader", "b_leader", "c", "up"]);
    expect(metricNames("rate(x_total[5m:1m]) * on (pod) group_left (version) y_info")).toEqual([
      "x_total",
      "y_info",
    ]);
  });

  it("reads Grafana variable queries", () => {
    expect(
      variableMetricNames(
        'label_values(vigil_http_requests_total{namespace=~"$namespace"}, moderationservice)',
      ),
    ).toEqual(["vigil_http_requests_total"]);
  });

  it("maps histogram series to the histogram", () => {
    const histograms = new Set(["vigil_batch_size"]);
    expect(baseMetricName("vigil_batch_size_bucket", histograms)).toBe("vigil_batch_size");
    expect(baseMetricName("vigil_cache_hits_total", histograms)).toBe("vigil_cache_hits_total");
    expect(baseMetricName("other_count", histograms)).toBe("other_count");
  });
});
