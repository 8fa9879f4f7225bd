// `vigil render -f cr.yaml [-f ...]`: the objects the operator would create for the
// ModerationServices in the files, built offline by the operator's own pure builders (like
// `helm template`). The custom resources are first checked as the API server would (schema and
// CEL rules), so a file that renders here is one `kubectl apply` accepts.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import {
  API_VERSION,
  MODEL_DEPLOYMENT,
  MODERATION_SERVICE,
  POLICY,
  openAPIV3Schema,
  type KindDefinition,
  type ModelDeployment,
  type ModerationService,
  type Policy,
} from "../../crds/index.js";
import { parseManifests } from "../../crds/kubectl-yaml.js";
import { formatFieldErrors, validateManifest } from "../../crds/validation.js";
import { DEFAULT_RUNTIME_IMAGE } from "../../operator/core/manager.js";
import { buildChildren, desiredWarnings, toStableYaml } from "../../operator/desired/index.js";

/** Stands in for the ModerationService's uid in owner references when the file has none. */
export const PLACEHOLDER_UID = "00000000-0000-0000-0000-000000000000";

interface RenderOptions {
  filename: string[];
  runtimeImage: string;
  vpaAvailable: boolean;
  namespace?: string;
}

interface Loaded {
  services: ModerationService[];
  models: ModelDeployment[];
  policies: Policy[];
  skipped: number;
}

const KINDS: Record<string, KindDefinition> = Object.fromEntries(
  [MODERATION_SERVICE, MODEL_DEPLOYMENT, POLICY].map((def) => [def.kind, def]),
);

function readSource(file: string): string {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (err) {
    throw new Error(
      `${file}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}`,
    );
  }
}

/** Every Vigil object in the files, checked against its CRD schema, in its namespace. */
function load(files: string[], namespace: string): Loaded {
  const loaded: Loaded = { services: [], models: [], policies: [], skipped: 0 };
  for (const file of files) {
    for (const doc of parseManifests(readSource(file), file)) {
      const value = doc as Record<string, unknown> | null;
      if (value === null) continue;
      const items =
        value.kind === "List" && Array.isArray(value.items) ? (value.items as unknown[]) : [value];
      for (const item of items) {
        const obj = item as {
          apiVersion?: string;
          kind?: string;
          metadata?: { name?: string; namespace?: string };
        };
        const def = obj.apiVersion === API_VERSION ? KINDS[obj.kind ?? ""] : undefined;
        if (!def) {
          loaded.skipped++;
          continue;
        }
        obj.metadata = { ...obj.metadata, namespace: obj.metadata?.namespace ?? namespace };
        const id = `${def.kind} ${obj.metadata.namespace}/${obj.metadata.name ?? "<no name>"}`;
        if (!obj.metadata.name) throw new Error(`${file}: ${id}: metadata.name: Required value`);
        const errors = validateManifest(openAPIV3Schema(def), obj);
        if (errors.length > 0) throw new Error(`${file}: ${id} is invalid: ${formatFieldErrors(errors)}`);
        if (def === MODERATION_SERVICE) loaded.services.push(obj as ModerationService);
        else if (def === MODEL_DEPLOYMENT) loaded.models.push(obj as ModelDeployment);
        else loaded.policies.push(obj as Policy);
      }
    }
  }
  return loaded;
}

function find<T extends { metadata: { name?: string; namespace?: string } }>(
  objects: T[],
  namespace: string,
  name: string,
): T | undefined {
  return objects.find((o) => o.metadata.namespace === namespace && o.metadata.name === name);
}

export function renderObjects(options: RenderOptions, warn: (line: string) => void): string {
  const namespace = options.namespace ?? "default";
  const { services, models, policies, skipped } = load(options.filename, namespace);
  if (skipped > 0)
    warn(
      `skipped ${skipped} object(s) that are not ${API_VERSION} ModerationService, ModelDeployment or Policy`,
    );
  if (services.length === 0) throw new Error("no ModerationService in the files: nothing to render");
  const out: string[] = [];
  for (const service of services) {
    const ns = service.metadata.namespace!;
    const id = `ModerationService ${ns}/${service.metadata.name}`;
    const model = find(models, ns, service.spec.modelRef.name);
    if (!model)
      throw new Error(
        `${id}: spec.modelRef: ModelDeployment ${ns}/${service.spec.modelRef.name} is not in the files`,
      );
    const policy = find(policies, ns, service.spec.policyRef.name);
    if (!policy)
      throw new Error(
        `${id}: spec.policyRef: Policy ${ns}/${service.spec.policyRef.name} is not in the files`,
      );
    // Owner references need the uid the API server assigns; a file that is not read back from
    // a cluster has none, so they get a visible placeholder (a real uid is kept).
    const owner = {
      ...service,
      metadata: { ...service.metadata, uid: service.metadata.uid ?? PLACEHOLDER_UID },
    };
    const input = {
      service: owner,
      model,
      policy,
      options: { runtimeImage: options.runtimeImage, vpaAvailable: options.vpaAvailable },
    };
    let children;
    try {
      children = buildChildren(input);
    } catch (err) {
      throw new Error(`${id}: ${(err as Error).message}`);
    }
    for (const w of desiredWarnings(input)) warn(`${id}: ${w.reason}: ${w.message}`);
    for (const child of children)
      out.push(`# Source: ${id}\n${toStableYaml(child, { forYaml11Readers: true })}`);
  }
  return out.join("---\n");
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerRender(program: Command): void {
  program
    .command("render")
    .description(
      "print the objects the operator would create for the ModerationServices in the files (offline, like helm template)",
    )
    .requiredOption(
      "-f, --filename <file>",
      "YAML with ModerationServices and the ModelDeployments and Policies they use ('-': stdin); repeatable",
      collect,
    )
    .option("--runtime-image <image>", "the operator's --runtime-image", DEFAULT_RUNTIME_IMAGE)
    .option("--vpa-available", "render VerticalPodAutoscalers, as when their CRD is installed", false)
    .action((opts: Omit<RenderOptions, "namespace">, command: Command) => {
      const { namespace } = command.optsWithGlobals<{ namespace?: string }>();
      const yaml = renderObjects({ ...opts, namespace }, (line) =>
        process.stderr.write(`warning: ${line}\n`),
      );
      process.stdout.write(yaml);
    });
}
