// Manifests parsed the way kubectl and the apiserver read YAML (sigs.k8s.io/yaml on go-yaml
// v2): YAML 1.1, where an unquoted `Off`, `yes` or `on` is a boolean, not a string. A file
// that the `yaml` package's default (YAML 1.2) reads as the string "Off" reaches the cluster
// as false; `vigil render`, the API emulator and the tests must see what the cluster sees.
import { parse, parseAllDocuments } from "yaml";

export const KUBECTL_YAML = { version: "1.1" } as const;

/** Every document of a manifest file; throws on the first syntax error. */
export function parseManifests(text: string, source = "<input>"): unknown[] {
  return parseAllDocuments(text, KUBECTL_YAML).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]!.message.split("\n")[0]}`);
    return doc.toJS() as unknown;
  });
}

/** One YAML document, as the apiserver decodes an application/yaml request body. */
export function parseManifest(text: string): unknown {
  return parse(text, KUBECTL_YAML) as unknown;
}
