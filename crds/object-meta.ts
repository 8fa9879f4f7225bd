// Object metadata as the apiserver validates it on every write (names, label keys and
// values, annotation keys, finalizers, owner references). Shared by the API emulator and
// crds/validation.ts, so `vigil render` rejects what `kubectl apply` would.
import type { FieldError } from "./validation.js";

/** The metadata fields validated here (what a manifest or a stored object may carry). */
export interface ObjectMetaInput {
  name?: string;
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
  finalizers?: unknown[];
  ownerReferences?: {
    apiVersion?: string;
    kind?: string;
    name?: string;
    uid?: string;
    controller?: boolean;
  }[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const SUBDOMAIN_HELP =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_HELP =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

function fieldError(field: string, message: string, reason = "FieldValueInvalid"): FieldError {
  return { field, message, reason };
}

export function validateObjectName(name: string, dnsLabel: boolean): FieldError[] {
  if (dnsLabel) {
    if (name.length > 63)
      return [fieldError("metadata.name", `Invalid value: "${name}": must be no more than 63 characters`)];
    if (!DNS_LABEL.test(name))
      return [fieldError("metadata.name", `Invalid value: "${name}": ${LABEL_HELP}`)];
    return [];
  }
  if (name.length > 253)
    return [fieldError("metadata.name", `Invalid value: "${name}": must be no more than 253 characters`)];
  if (!DNS_SUBDOMAIN.test(name))
    return [fieldError("metadata.name", `Invalid value: "${name}": ${SUBDOMAIN_HELP}`)];
  return [];
}

/** The metadata of an object as the apiserver checks it on every write (apimachinery ValidateObjectMeta). */
export function validateObjectMeta(meta: ObjectMetaInput, opts: { dnsLabelName: boolean }): FieldError[] {
  const errors = validateObjectName(meta.name ?? "", opts.dnsLabelName);
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    if (!QUALIFIED_NAME.test(k) || k.split("/").pop()!.length > 63)
      errors.push(
        fieldError(
          "metadata.labels",
          `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
        ),
      );
    if (typeof v !== "string" || v.length > 63 || !LABEL_VALUE.test(v))
      errors.push(
        fieldError(
          "metadata.labels",
          `Invalid value: "${String(v)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
        ),
      );
  }
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    if (!QUALIFIED_NAME.test(k))
      errors.push(
        fieldError(
          "metadata.annotations",
          `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
        ),
      );
    if (typeof v !== "string")
      errors.push(fieldError(`metadata.annotations[${k}]`, "Invalid value: must be a string"));
  }
  for (const [i, f] of (meta.finalizers ?? []).entries())
    if (typeof f !== "string" || !QUALIFIED_NAME.test(f))
      errors.push(
        fieldError(
          `metadata.finalizers[${i}]`,
          `Invalid value: "${String(f)}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
        ),
      );
  for (const [i, ref] of (meta.ownerReferences ?? []).entries()) {
    for (const f of ["apiVersion", "kind", "name", "uid"] as const)
      if (!ref[f])
        errors.push(
          fieldError(`metadata.ownerReferences[${i}].${f}`, 'Invalid value: "": must not be empty'),
        );
  }
  if ((meta.ownerReferences ?? []).filter((r) => r.controller).length > 1)
    errors.push(
      fieldError(
        "metadata.ownerReferences",
        "Invalid value: only one reference can have Controller set to true",
      ),
    );
  return errors;
}

/** The fields of ObjectMeta; anything else under metadata is an unknown field. */
export const OBJECT_META_FIELDS = new Set([
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
]);
