// The service's custom resources as they should be re-applied after a disaster: the operator
// mounts them (ModerationService, ModelDeployment, Policy) from a ConfigMap it keeps current,
// and they are saved as YAML with everything the API server owns removed, so `kubectl apply -f`
// recreates the service as it was. The model manifest (name, version, URI, sha256) is read
// from the ModelDeployment among them.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { parse, stringify } from "yaml";
import type { ModelManifest } from "./manifest.js";

interface KubeDocument {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, unknown>;
  spec?: Record<string, unknown>;
  status?: unknown;
}

/** Fields the API server sets; a saved object carrying them could not be applied to a new cluster. */
const SERVER_OWNED_METADATA = [
  "managedFields",
  "resourceVersion",
  "uid",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "selfLink",
  "ownerReferences",
];
const APPLIED_CONFIGURATION = "kubectl.kubernetes.io/last-applied-configuration";

export function stripServerFields(doc: KubeDocument): KubeDocument {
  const { status: _status, ...rest } = doc;
  const metadata = { ...(doc.metadata ?? {}) };
  for (const key of SERVER_OWNED_METADATA) delete metadata[key];
  const annotations = { ...((metadata.annotations as Record<string, string> | undefined) ?? {}) };
  delete annotations[APPLIED_CONFIGURATION];
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { ...rest, metadata };
}

export interface SavedResource {
  /** `resources/<kind>-<name>.yaml`, lower-case kind. */
  file: string;
  yaml: string;
  document: KubeDocument;
}

/** Every YAML/JSON object in `dir` (a mounted ConfigMap: its `..data` entries are skipped). */
export async function readResources(dir: string): Promise<SavedResource[]> {
  const names = (await readdir(dir)).filter((n) => !n.startsWith(".") && /\.(ya?ml|json)$/.test(n)).sort();
  const saved: SavedResource[] = [];
  for (const name of names) {
    const parsed = parse(await readFile(path.join(dir, name), "utf8")) as KubeDocument | null;
    if (!parsed || typeof parsed !== "object" || !parsed.kind || !parsed.metadata?.name) {
      throw new Error(`resource file ${name} is not a Kubernetes object (kind and metadata.name required)`);
    }
    const document = stripServerFields(parsed);
    const kind = String(document.kind).toLowerCase();
    saved.push({
      file: `resources/${kind}-${String(document.metadata!.name)}.yaml`,
      yaml: stringify(document),
      document,
    });
  }
  return saved;
}

export function modelManifest(resources: SavedResource[]): ModelManifest | undefined {
  const model = resources.find((r) => r.document.kind === "ModelDeployment")?.document.spec?.model as
    { name?: string; version?: string; source?: { uri?: string; sha256?: string } } | undefined;
  if (!model?.name || !model.version || !model.source?.uri) return undefined;
  return {
    name: model.name,
    version: model.version,
    uri: model.source.uri,
    ...(model.source.sha256 && { sha256: model.source.sha256 }),
  };
}
