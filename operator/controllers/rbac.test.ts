import { describe, expect, it } from "vitest";
import type { ResourceKind } from "../core/kinds.js";
import { Kinds } from "../core/kinds.js";
import { createControllers } from "./index.js";
import { allows, OPERATOR_RULES } from "./rbac.js";

const groupOf = (kind: ResourceKind) => (kind.apiVersion.includes("/") ? kind.apiVersion.split("/")[0]! : "");
const missing = (kind: ResourceKind, resource: string, verbs: string[]) =>
  verbs
    .filter((verb) => !allows(OPERATOR_RULES, groupOf(kind), resource, verb))
    .map((v) => `${v} ${resource}`);

describe("operator RBAC rules", () => {
  const controllers = createControllers();

  it("let every controller list and watch every kind it caches", () => {
    const watched = controllers.flatMap((c) => [
      c.for,
      ...(c.owns ?? []),
      ...(c.references ?? []).map((r) => r.kind),
    ]);
    expect(watched.flatMap((kind) => missing(kind, kind.plural, ["get", "list", "watch"]))).toEqual([]);
  });

  it("let the reconcilers apply and prune every child, VPA included", () => {
    const children = [...controllers.flatMap((c) => c.owns ?? []), Kinds.VerticalPodAutoscaler];
    expect(children.flatMap((kind) => missing(kind, kind.plural, ["create", "patch", "delete"]))).toEqual([]);
  });

  it("let the reconcilers write the status of every primary kind and of the kinds they report on", () => {
    const kinds = [Kinds.ModerationService, Kinds.ModelDeployment, Kinds.Policy];
    expect(kinds.flatMap((kind) => missing(kind, `${kind.plural}/status`, ["patch"]))).toEqual([]);
  });

  it("cover what core needs: events, leader election and backups", () => {
    expect([
      ...missing(Kinds.Event, "events", ["create", "patch"]),
      ...missing(Kinds.Lease, "leases", ["get", "create", "update"]),
      ...missing(Kinds.CronJob, "cronjobs", ["create", "patch", "delete", "list", "watch"]),
      ...missing(Kinds.Job, "jobs", ["create", "patch", "delete", "list", "watch"]),
      ...missing(Kinds.Pod, "pods", ["list", "watch"]),
    ]).toEqual([]);
  });

  it("grant Secrets only to create and read the quality gate's key by name, never to list or watch them", () => {
    for (const verb of ["list", "watch", "update", "patch", "delete"]) {
      expect(allows(OPERATOR_RULES, "", "secrets", verb), verb).toBe(false);
    }
    expect(allows(OPERATOR_RULES, "", "secrets", "create")).toBe(true);
    expect(allows(OPERATOR_RULES, "", "secrets", "get")).toBe(true);
  });
});
