// Stable YAML for built objects: canonical key order, no line folding, no anchors, so a
// golden file or a ConfigMap only changes when the object does.
import { stringify } from "yaml";
import { canonicalize } from "./canonical.js";

/**
 * `forYaml11Readers` quotes strings that YAML 1.1 readers (kubectl and Helm: go-yaml v2
 * semantics) take for booleans, e.g. a VPA updateMode of "Off": for YAML that users apply.
 */
export function toStableYaml(value: unknown, options: { forYaml11Readers?: boolean } = {}): string {
  return stringify(canonicalize(value), {
    lineWidth: 0,
    aliasDuplicateObjects: false,
    ...(options.forYaml11Readers && { version: "1.1" as const }),
  });
}
