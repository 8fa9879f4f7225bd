// Extracts the upstream Kubernetes types Vigil's CRDs embed (affinity, tolerations, label
// selectors, HPA behavior) from the OpenAPI v3 spec of the Kubernetes release the test control
// plane is built from (hack/testenv/go.mod), as structural schemas a CRD may hold:
// - $refs resolved inline (a CRD schema has no $ref);
// - descriptions dropped below the root (size: the CRD must fit kubectl's annotation limit)
//   and defaults dropped (a CRD default is written into the stored spec; these are the
//   children's defaults, applied by their own API);
// - resource.Quantity as int-or-string, as controller-gen writes it;
// - every string, list and map bounded (BOUNDS), so the CRD's CEL cost estimates, which
//   multiply by the largest possible list, stay finite wherever a rule is later added.
// The spec is read from the Go module cache (filled by hack/testenv/build.sh); without it the
// checked-in file is left as it is and the staleness test does not compare it. The CRDs are
// rendered from the file as it was when `npm run gen` started: after a Kubernetes bump, run
// `npm run gen` twice.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const UPSTREAM_SCHEMAS_FILE = "crds/generated/kubernetes-schemas.json";

/** Generous bounds for upstream fields: label keys are <= 317 characters, values <= 63. */
export const BOUNDS = { maxLength: 1024, maxItems: 256, maxProperties: 64 } as const;

const TYPES = {
  Affinity: ["api__v1_openapi.json", "io.k8s.api.core.v1.Affinity"],
  Toleration: ["api__v1_openapi.json", "io.k8s.api.core.v1.Toleration"],
  LabelSelector: ["api__v1_openapi.json", "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"],
  HorizontalPodAutoscalerBehavior: [
    "apis__autoscaling__v2_openapi.json",
    "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior",
  ],
} as const;

const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const KEPT_EXTENSIONS = new Set([
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-map-type",
]);

type Schema = Record<string, unknown>;

export function kubernetesVersion(root = "."): string {
  const gomod = readFileSync(join(root, "hack/testenv/go.mod"), "utf8");
  const version = /k8s\.io\/kubernetes (v\d+\.\d+\.\d+)/.exec(gomod)?.[1];
  if (!version) throw new Error("hack/testenv/go.mod does not pin k8s.io/kubernetes");
  return version;
}

function specDirectory(version: string): string | undefined {
  let modcache: string;
  try {
    modcache = execFileSync("go", ["env", "GOMODCACHE"], { encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
  const dir = join(modcache, `k8s.io/kubernetes@${version}/api/openapi-spec/v3`);
  return existsSync(dir) ? dir : undefined;
}

function refName(node: Schema): string | undefined {
  const ref = (node.$ref ?? (node.allOf as Schema[] | undefined)?.[0]?.$ref) as string | undefined;
  return ref?.replace("#/components/schemas/", "");
}

function structural(node: Schema, definitions: Record<string, Schema>, root: boolean): Schema {
  const ref = refName(node);
  if (ref === QUANTITY)
    return {
      anyOf: [{ type: "integer" }, { type: "string" }],
      "x-kubernetes-int-or-string": true,
      maxLength: BOUNDS.maxLength,
    };
  if (ref) return structural(definitions[ref]!, definitions, root);
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "description" && root) out.description = value;
    else if (key === "properties")
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, Schema>).map(([k, v]) => [
          k,
          structural(v, definitions, false),
        ]),
      );
    else if (key === "items" || key === "additionalProperties")
      out[key] = structural(value as Schema, definitions, false);
    else if (["type", "format", "required", "enum"].includes(key) || KEPT_EXTENSIONS.has(key))
      out[key] = value;
  }
  if (out.type === "string") out.maxLength ??= BOUNDS.maxLength;
  if (out.type === "array") out.maxItems ??= BOUNDS.maxItems;
  if (out.type === "object" && out.additionalProperties) out.maxProperties ??= BOUNDS.maxProperties;
  return out;
}

/** The generated file, or nothing when the upstream spec is not on this machine. */
export function renderUpstreamSchemas(root = "."): Map<string, string> {
  const version = kubernetesVersion(root);
  const dir = specDirectory(version);
  if (!dir) return new Map();
  const files = new Map<string, Record<string, Schema>>();
  const schemas: Record<string, Schema> = {};
  for (const [name, [file, definition]] of Object.entries(TYPES)) {
    if (!files.has(file)) {
      const spec = JSON.parse(readFileSync(join(dir, file), "utf8")) as {
        components: { schemas: Record<string, Schema> };
      };
      files.set(file, spec.components.schemas);
    }
    const definitions = files.get(file)!;
    schemas[name] = structural(definitions[definition]!, definitions, true);
  }
  const content = { generatedFrom: `k8s.io/kubernetes@${version} api/openapi-spec/v3`, schemas };
  return new Map([[UPSTREAM_SCHEMAS_FILE, `${JSON.stringify(content, null, 2)}\n`]]);
}
