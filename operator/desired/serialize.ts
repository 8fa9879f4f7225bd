// Stable YAML for built objects: canonical key order, no line folding, no anchors, so a
// golden file or a ConfigMap only changes when the object does.
import { stringify } from "yaml";
import { canonicalize } from "./canonical.js";

export function toStableYaml(value: unknown): string {
  return stringify(canonicalize(value), { lineWidth: 0, aliasDuplicateObjects: false });
}
