// The shipped samples (config/samples/*.yaml) build into valid children: what a user applies
// first must work. Samples carry no namespace or uid, which the API server would add.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { ModelDeployment, ModerationService, Policy } from "../../crds/index.js";
import { buildChildren } from "./children.js";
import { RUNTIME_IMAGE } from "./fixtures.js";
import { validateUpstream } from "./testing/upstream.js";

const SAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../config/samples");

type Resource = ModerationService | ModelDeployment | Policy;

function loadSamples(): Resource[] {
  return readdirSync(SAMPLES)
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) =>
      parseAllDocuments(readFileSync(path.join(SAMPLES, f), "utf8")).map((d) => d.toJS() as Resource),
    )
    .map(
      (r, i) =>
        ({
          ...r,
          metadata: {
            namespace: "default",
            uid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
            generation: 1,
            ...r.metadata,
          },
        }) as Resource,
    );
}

const resources = loadSamples();
const find = <T extends Resource>(kind: T["kind"], name: string) =>
  resources.find((r): r is T => r.kind === kind && r.metadata.name === name);
const services = resources.filter((r): r is ModerationService => r.kind === "ModerationService");

describe("config/samples", () => {
  it("has ModerationService samples to build", () => {
    expect(services.length).toBeGreaterThan(0);
  });

  it.each(services.map((s) => [s.metadata.name, s] as const))(
    "%s builds into valid children",
    (_name, service) => {
      const model = find<ModelDeployment>("ModelDeployment", service.spec.modelRef.name);
      const policy = find<Policy>("Policy", service.spec.policyRef.name);
      expect(model, `sample ModelDeployment ${service.spec.modelRef.name}`).toBeDefined();
      expect(policy, `sample Policy ${service.spec.policyRef.name}`).toBeDefined();
      const children = buildChildren({
        service,
        model: model!,
        policy: policy!,
        options: { runtimeImage: RUNTIME_IMAGE, vpaAvailable: true },
      });
      expect(children.map((c) => c.kind)).toContain("Deployment");
      for (const child of children) validateUpstream(child);
    },
  );
});
