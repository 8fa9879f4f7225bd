// Contract: every sample in config/samples (and config/samples/invalid) gets the same verdict
// from the cluster as from crds/validation.ts, the validator behind `vigil render`, when sent
// as kubectl apply sends it: YAML 1.1, fieldValidation=Strict. Invalid samples are refused
// naming the field of their `# expect:` line: a 422 with a cause for that field, or, for an
// unknown field, the 400 of strict decoding. Server-side dry run, so samples that share a
// name do not collide.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_VERSION, GROUP, KINDS, VERSION, openAPIV3Schema } from "../../crds/index.js";
import { parseManifests } from "../../crds/kubectl-yaml.js";
import { validateManifest } from "../../crds/validation.js";
import { connect, raw, type Clients, type StatusBody } from "./harness.js";

const SAMPLES = join(import.meta.dirname, "../../config/samples");

interface Sample {
  file: string;
  object: { apiVersion: string; kind: string; metadata: { name: string } };
  /** The field named by the `# expect:` line; undefined for a valid sample. */
  field?: string;
}

function samples(dir: string, invalid: boolean): Sample[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((file) => {
      const text = readFileSync(join(dir, file), "utf8");
      const field = invalid ? /^# expect: (\S+):/m.exec(text)?.[1] : undefined;
      return (parseManifests(text, file) as Sample["object"][])
        .filter((object) => object.apiVersion === API_VERSION)
        .map((object) => ({ file, object, ...(field !== undefined && { field }) }));
    });
}

let c: Clients;
let ns: string;

beforeAll(async () => {
  c = await connect();
  ns = await c.cluster.newNamespace("samples");
});
afterAll(async () => {
  await c?.cluster.close();
});

async function apply(sample: Sample) {
  const plural = KINDS.find((k) => k.kind === sample.object.kind)!.plural;
  return raw(
    c.kc,
    "POST",
    `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${plural}?dryRun=All&fieldValidation=Strict`,
    sample.object,
  );
}

function validatorErrors(sample: Sample) {
  const def = KINDS.find((k) => k.kind === sample.object.kind)!;
  return validateManifest(openAPIV3Schema(def), sample.object);
}

describe("valid samples", () => {
  for (const sample of samples(SAMPLES, false)) {
    it(`${sample.file} (${sample.object.kind}) is accepted by the cluster and the validator`, async () => {
      expect(validatorErrors(sample)).toEqual([]);
      const res = await apply(sample);
      expect(res.status, res.text).toBe(201);
    });
  }
});

describe("invalid samples", () => {
  for (const sample of samples(join(SAMPLES, "invalid"), true)) {
    it(`${sample.file} is refused by the cluster and the validator at ${sample.field}`, async () => {
      expect(sample.field, "each invalid sample names its field in a '# expect:' line").toBeTruthy();
      expect(validatorErrors(sample).map((e) => e.field)).toContain(sample.field);
      const res = await apply(sample);
      const status = res.json<StatusBody>();
      if (res.status === 400) {
        expect(status.reason).toBe("BadRequest");
        expect(status.message).toContain(`unknown field "${sample.field}"`);
      } else {
        expect(res.status, res.text).toBe(422);
        expect(status.reason).toBe("Invalid");
        expect(status.details?.causes?.map((cause) => cause.field)).toContain(sample.field);
      }
    });
  }
});
