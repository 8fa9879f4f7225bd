import { describe, expect, it } from "vitest";
import { ManualClock } from "./clock.js";
import { ApiError } from "./errors.js";
import { FailureLog, failureCause } from "./failure-log.js";
import { createLogger } from "./logging.js";

function capture() {
  const records: Record<string, unknown>[] = [];
  const log = createLogger({
    level: "debug",
    destination: { write: (line: string) => records.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { log, records };
}

function refused(path: string): ApiError {
  const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6443"), { code: "ECONNREFUSED" });
  return new ApiError(0, "list", path, undefined, { cause });
}

describe("FailureLog", () => {
  it("names one cause once for every request that fails for it, whatever the path", () => {
    expect(failureCause(refused("/api/v1/configmaps"))).toBe(
      failureCause(refused("/apis/apps/v1/deployments")),
    );
    expect(failureCause(refused("/api/v1/configmaps"))).toBe(
      "no response (connect ECONNREFUSED 127.0.0.1:6443)",
    );
    expect(
      failureCause(
        new ApiError(401, "list", "/api/v1/pods", { reason: "Unauthorized", message: "Unauthorized" }),
      ),
    ).toBe("HTTP 401 Unauthorized: Unauthorized");
    const tls = Object.assign(new Error("unable to verify the first certificate"), {
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    });
    expect(failureCause(tls)).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate");
  });

  it("logs a cause once, repeats it with doubling intervals, and logs the recovery once", () => {
    const { log, records } = capture();
    const clock = new ManualClock();
    const failures = new FailureLog({ log, clock, initialRepeatMs: 60_000, maxRepeatMs: 240_000 });
    // Ten informers retrying every second for ten minutes.
    for (let second = 0; second < 600; second++) {
      for (let informer = 0; informer < 10; informer++)
        failures.failed(refused(`/api/v1/resource-${informer}`), { resource: `resource-${informer}` });
      clock.advance(1_000);
    }
    const warnings = records.filter((r) => r.level === "warn");
    // First at 0 s, repeats at 60, 180 (60+120), 420 (180+240) s.
    expect(warnings.map((r) => r.msg)).toEqual([
      "Kubernetes API unavailable: no response (connect ECONNREFUSED 127.0.0.1:6443)",
      "Kubernetes API still unavailable: no response (connect ECONNREFUSED 127.0.0.1:6443)",
      "Kubernetes API still unavailable: no response (connect ECONNREFUSED 127.0.0.1:6443)",
      "Kubernetes API still unavailable: no response (connect ECONNREFUSED 127.0.0.1:6443)",
    ]);
    expect(warnings[0]).toMatchObject({ resource: "resource-0" });
    expect(warnings[1]).toMatchObject({ failures: 601, sinceMs: 60_000 });
    expect(failures.current()).toEqual(["no response (connect ECONNREFUSED 127.0.0.1:6443)"]);

    failures.succeeded();
    failures.succeeded();
    const recovered = records.filter((r) => r.msg === "Kubernetes API available again");
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({
      level: "info",
      causes: [expect.objectContaining({ failures: 6000 })],
    });
    expect(failures.current()).toEqual([]);
  });

  it("logs a second cause on its own line", () => {
    const { log, records } = capture();
    const failures = new FailureLog({ log, clock: new ManualClock() });
    failures.failed(refused("/api/v1/pods"));
    failures.failed(new ApiError(403, "list", "/api/v1/pods", { reason: "Forbidden", message: "no" }));
    failures.failed(refused("/api/v1/pods"));
    expect(records.map((r) => r.cause)).toEqual([
      "no response (connect ECONNREFUSED 127.0.0.1:6443)",
      "HTTP 403 Forbidden: no",
    ]);
  });
});
