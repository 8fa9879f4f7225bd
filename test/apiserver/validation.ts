// Admission-time checks the apiserver makes before it stores an object: metadata rules for
// every kind, a small set of built-in invariants Vigil's objects must respect (selectors,
// immutable fields), and for custom resources the CRD's openAPIV3Schema with its CEL rules,
// preceded by pruning of unknown fields and defaulting as in a structural schema.
import { OBJECT_META_FIELDS, validateObjectMeta } from "../../crds/object-meta.js";
import { validateObject, type FieldError } from "../../crds/validation.js";
import { labelSelectorToString } from "./selectors.js";
import { invalid, ApiError } from "./errors.js";
import { deepEqual } from "./json.js";
import type { ResourceType } from "./resource-type.js";
import { fieldType, isPlainObject, type TypeNode } from "./type-schema.js";
import type { KubeObject } from "./types.js";

function fieldError(field: string, message: string, reason = "FieldValueInvalid"): FieldError {
  return { field, message, reason };
}

type Obj = Record<string, unknown>;
const get = (o: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((cur, p) => (isPlainObject(cur) ? cur[p] : undefined), o);

function validatePodSpec(spec: unknown, path: string, errors: FieldError[]): void {
  const containers = get(spec, "containers");
  if (!Array.isArray(containers) || containers.length === 0) {
    errors.push(fieldError(`${path}.containers`, "Required value", "FieldValueRequired"));
    return;
  }
  const names = new Set<string>();
  containers.forEach((c: Obj, i) => {
    if (!c.name)
      errors.push(fieldError(`${path}.containers[${i}].name`, "Required value", "FieldValueRequired"));
    else if (names.has(String(c.name)))
      errors.push(
        fieldError(
          `${path}.containers[${i}].name`,
          `Duplicate value: "${String(c.name)}"`,
          "FieldValueDuplicate",
        ),
      );
    names.add(String(c.name));
    if (!c.image)
      errors.push(fieldError(`${path}.containers[${i}].image`, "Required value", "FieldValueRequired"));
  });
}

function validateSelectorTemplate(obj: KubeObject, errors: FieldError[]): void {
  const selector = get(obj, "spec", "selector") as Obj | undefined;
  if (!selector) {
    errors.push(fieldError("spec.selector", "Required value", "FieldValueRequired"));
    return;
  }
  const labels = (get(obj, "spec", "template", "metadata", "labels") ?? {}) as Record<string, string>;
  const matchLabels = (selector.matchLabels ?? {}) as Record<string, string>;
  if (Object.keys(matchLabels).length === 0 && !Array.isArray(selector.matchExpressions))
    errors.push(fieldError("spec.selector", "Invalid value: empty selector is invalid for deployment"));
  else if (Object.entries(matchLabels).some(([k, v]) => labels[k] !== v))
    errors.push(
      fieldError(
        "spec.template.metadata.labels",
        `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``,
      ),
    );
  validatePodSpec(get(obj, "spec", "template", "spec"), "spec.template.spec", errors);
}

/** Invariants of built-in kinds that a reconciler can violate. */
const BUILT_IN_RULES: Record<string, (obj: KubeObject, old: KubeObject | undefined) => FieldError[]> = {
  "apps/Deployment": (obj, old) => {
    const errors: FieldError[] = [];
    validateSelectorTemplate(obj, errors);
    if (old && !deepEqual(get(old, "spec", "selector"), get(obj, "spec", "selector")))
      errors.push(
        fieldError(
          "spec.selector",
          `Invalid value: ${JSON.stringify(labelSelectorToString(get(obj, "spec", "selector")))}: field is immutable`,
        ),
      );
    return errors;
  },
  "apps/ReplicaSet": (obj) => {
    const errors: FieldError[] = [];
    validateSelectorTemplate(obj, errors);
    return errors;
  },
  "apps/StatefulSet": (obj) => {
    const errors: FieldError[] = [];
    validateSelectorTemplate(obj, errors);
    return errors;
  },
  "batch/Job": (obj, old) => {
    const errors: FieldError[] = [];
    const policy = get(obj, "spec", "template", "spec", "restartPolicy");
    if (policy !== "OnFailure" && policy !== "Never")
      errors.push(
        fieldError(
          "spec.template.spec.restartPolicy",
          'Required value: valid values: "OnFailure", "Never"',
          "FieldValueRequired",
        ),
      );
    validatePodSpec(get(obj, "spec", "template", "spec"), "spec.template.spec", errors);
    if (
      old &&
      !deepEqual(
        get(old, "spec", "template", "spec", "containers"),
        get(obj, "spec", "template", "spec", "containers"),
      )
    )
      errors.push(fieldError("spec.template", "Invalid value: field is immutable"));
    return errors;
  },
  "batch/CronJob": (obj) => {
    const errors: FieldError[] = [];
    if (!get(obj, "spec", "schedule"))
      errors.push(fieldError("spec.schedule", "Required value", "FieldValueRequired"));
    validatePodSpec(
      get(obj, "spec", "jobTemplate", "spec", "template", "spec"),
      "spec.jobTemplate.spec.template.spec",
      errors,
    );
    return errors;
  },
  "/Pod": (obj) => {
    const errors: FieldError[] = [];
    validatePodSpec(get(obj, "spec"), "spec", errors);
    return errors;
  },
  "/Service": (obj, old) => {
    const errors: FieldError[] = [];
    const ports = get(obj, "spec", "ports");
    const headless = get(obj, "spec", "clusterIP") === "None";
    if ((!Array.isArray(ports) || ports.length === 0) && !headless)
      errors.push(fieldError("spec.ports", "Required value", "FieldValueRequired"));
    (Array.isArray(ports) ? ports : []).forEach((p: Obj, i) => {
      if (typeof p.port !== "number" || p.port < 1 || p.port > 65535)
        errors.push(
          fieldError(
            `spec.ports[${i}].port`,
            `Invalid value: ${String(p.port)}: must be between 1 and 65535, inclusive`,
          ),
        );
      if ((ports as unknown[]).length > 1 && !p.name)
        errors.push(fieldError(`spec.ports[${i}].name`, "Required value", "FieldValueRequired"));
    });
    const oldIp = get(old, "spec", "clusterIP");
    if (old && oldIp && oldIp !== get(obj, "spec", "clusterIP"))
      errors.push(
        fieldError(
          "spec.clusterIPs[0]",
          `Invalid value: ${JSON.stringify([get(obj, "spec", "clusterIP")])}: may not change once set`,
        ),
      );
    return errors;
  },
  "/ConfigMap": (obj, old) => immutableData(obj, old),
  "/Secret": (obj, old) => immutableData(obj, old),
  "rbac.authorization.k8s.io/RoleBinding": (obj, old) => roleRefRules(obj, old),
  "rbac.authorization.k8s.io/ClusterRoleBinding": (obj, old) => roleRefRules(obj, old),
  "policy/PodDisruptionBudget": (obj) =>
    get(obj, "spec", "minAvailable") !== undefined && get(obj, "spec", "maxUnavailable") !== undefined
      ? [fieldError("spec", "Invalid value: minAvailable and maxUnavailable cannot be both set")]
      : [],
};

function immutableData(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  if (!old || old.immutable !== true) return [];
  const errors: FieldError[] = [];
  if (obj.immutable !== true)
    errors.push(
      fieldError("immutable", "Forbidden: field is immutable when `immutable` is set", "FieldValueForbidden"),
    );
  for (const f of ["data", "binaryData", "stringData"])
    if (!deepEqual(old[f], obj[f]))
      errors.push(
        fieldError(f, "Forbidden: field is immutable when `immutable` is set", "FieldValueForbidden"),
      );
  return errors;
}

function roleRefRules(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const ref = get(obj, "roleRef") as Obj | undefined;
  if (!ref?.name || !ref.kind) return [fieldError("roleRef", "Required value", "FieldValueRequired")];
  if (old && !deepEqual(old.roleRef, ref))
    return [fieldError("roleRef", `Invalid value: ${JSON.stringify(ref)}: cannot change roleRef`)];
  return [];
}

const FIELD_ERROR_PREFIXES =
  /^(Invalid value|Required value|Unsupported value|Forbidden|Duplicate value|Too many|Too long|Internal error)/;

/**
 * The apiserver reports a failed CEL rule as `Invalid value: "object": <rule message>` (the
 * rule's schema type in quotes); schema errors already carry their prefix.
 */
function asApiserverMessage(e: FieldError): FieldError {
  return FIELD_ERROR_PREFIXES.test(e.message)
    ? e
    : { ...e, message: `Invalid value: "object": ${e.message}` };
}

/**
 * Schema errors after which apiextensions-apiserver does not run a CRD's CEL rules
 * (hasBlockingErr), adding CEL_SKIPPED instead so the user knows more may fail.
 */
const BLOCKING_REASONS = new Set([
  "FieldValueNotSupported",
  "FieldValueRequired",
  "FieldValueTooLong",
  "FieldValueTooMany",
  "FieldValueTypeInvalid",
]);

const CEL_SKIPPED: FieldError = {
  field: "<nil>",
  message:
    'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
  reason: "FieldValueInvalid",
};

function hasCelRules(schema: unknown): boolean {
  return JSON.stringify(schema).includes('"x-kubernetes-validations"');
}

/** All checks; throws 422 Invalid with every failing field. */
export function validateForWrite(type: ResourceType, obj: KubeObject, old: KubeObject | undefined): void {
  const errors = validateObjectMeta(obj.metadata ?? {}, { dnsLabelName: type.dnsLabelNames === true });
  if (type.schema) {
    const schemaErrors = validateObject(type.schema, obj).map(asApiserverMessage);
    errors.push(...schemaErrors);
    if (hasCelRules(type.schema) && schemaErrors.some((e) => BLOCKING_REASONS.has(e.reason)))
      errors.push(CEL_SKIPPED);
  } else {
    errors.push(...(BUILT_IN_RULES[`${type.group}/${type.kind}`]?.(obj, old) ?? []));
  }
  if (old) {
    const finalizersAdded = (obj.metadata?.finalizers ?? []).filter(
      (f) => !(old.metadata?.finalizers ?? []).includes(f),
    );
    if (old.metadata?.deletionTimestamp && finalizersAdded.length > 0)
      errors.push(
        fieldError(
          "metadata.finalizers",
          `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${finalizersAdded.map((f) => JSON.stringify(f)).join(", ")}}`,
          "FieldValueForbidden",
        ),
      );
  }
  if (errors.length > 0) throw invalid(type.kind, type.group, obj.metadata?.name ?? "", errors);
}

/**
 * Custom resources: drops what the structural schema does not declare (returning the dropped
 * paths, for `fieldValidation` warnings or Strict errors), drops nulls of non-nullable
 * fields, and fills schema defaults.
 */
export function pruneAndDefault(obj: KubeObject, type: TypeNode): string[] {
  const pruned: string[] = [];
  const meta = obj.metadata as Obj | undefined;
  if (meta)
    for (const k of Object.keys(meta))
      if (!OBJECT_META_FIELDS.has(k)) {
        delete meta[k];
        pruned.push(`.metadata.${k}`);
      }
  for (const [k, v] of Object.entries(obj)) {
    if (k === "apiVersion" || k === "kind" || k === "metadata") continue;
    const child = fieldType(type, k);
    if (!child && !type.preserveUnknownFields) {
      delete obj[k];
      pruned.push(`.${k}`);
    } else obj[k] = walkPrune(v, child, `.${k}`, pruned);
    if (obj[k] === undefined) delete obj[k];
  }
  applySchemaDefaults(obj, type, true);
  return pruned;
}

function walkPrune(value: unknown, type: TypeNode | undefined, path: string, pruned: string[]): unknown {
  if (!type) return value;
  if (value === null) return type.nullable ? null : undefined;
  if (isPlainObject(value)) {
    if (type.embeddedResource) return value;
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) {
      const child = fieldType(type, k);
      if (!child && type.structural && !type.preserveUnknownFields && !type.intOrString) {
        pruned.push(`${path}.${k}`);
        continue;
      }
      const w = walkPrune(v, child, `${path}.${k}`, pruned);
      if (w !== undefined) out[k] = w;
    }
    return out;
  }
  if (Array.isArray(value)) return value.map((v, i) => walkPrune(v, type.items, `${path}[${i}]`, pruned));
  return value;
}

function applySchemaDefaults(value: unknown, type: TypeNode | undefined, root = false): void {
  if (!type) return;
  if (isPlainObject(value)) {
    for (const [k, child] of Object.entries(type.fields ?? {})) {
      if (root && k === "metadata") continue;
      if (value[k] === undefined && child.default !== undefined) value[k] = structuredClone(child.default);
      applySchemaDefaults(value[k], child);
    }
    if (type.values)
      for (const [k, v] of Object.entries(value)) if (!type.fields?.[k]) applySchemaDefaults(v, type.values);
  } else if (Array.isArray(value)) {
    for (const v of value) applySchemaDefaults(v, type.items);
  }
}

/** `fieldValidation=Strict` turns dropped unknown fields into a 400, like the apiserver. */
export function strictUnknownFields(pruned: string[]): ApiError {
  return new ApiError(
    400,
    "BadRequest",
    `strict decoding error: ${pruned.map((p) => `unknown field "${p.slice(1)}"`).join(", ")}`,
  );
}
