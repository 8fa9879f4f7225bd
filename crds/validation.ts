// Validates an object against a CRD openAPIV3Schema the way the apiserver does: OpenAPI
// schema first (ajv), then the CEL `x-kubernetes-validations` rules (cel-js), reporting
// Kubernetes-style field paths. Used by the tests, the API emulator (422 responses) and the
// operator (Policy Valid condition).
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import ajvFormats, { type FormatsPlugin } from "ajv-formats";
import { evaluate } from "@marcbachmann/cel-js";

export interface FieldError {
  /** Kubernetes field path, e.g. `spec.categories[toxicity].flag`. */
  field: string;
  message: string;
  /** `FieldValueInvalid`, `FieldValueRequired`, … as in a Status cause. */
  reason: string;
}

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  "x-kubernetes-validations"?: { rule: string; message?: string; fieldPath?: string; reason?: string }[];
  [key: string]: unknown;
}

// ajv-formats is CommonJS; under NodeNext its plugin is the `default` of the module object.
const addFormats = (ajvFormats as unknown as { default: FormatsPlugin }).default;

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
addFormats(ajv, ["date-time"]);

const compiled = new WeakMap<object, ValidateFunction>();

function compile(schema: SchemaNode): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

/** `/spec/categories/toxicity/flag` -> `spec.categories.toxicity.flag` (k8s prints map keys with dots too). */
function pointerToPath(pointer: string): string {
  return pointer
    .split("/")
    .filter(Boolean)
    .map((seg) => seg.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), "");
}

function fromAjv(err: ErrorObject): FieldError {
  const base = pointerToPath(err.instancePath);
  if (err.keyword === "required") {
    const missing = (err.params as { missingProperty: string }).missingProperty;
    return {
      field: base ? `${base}.${missing}` : missing,
      message: "Required value",
      reason: "FieldValueRequired",
    };
  }
  if (err.keyword === "enum") {
    const allowed = (err.params as { allowedValues: unknown[] }).allowedValues;
    return {
      field: base,
      message: `Unsupported value: supported values: ${allowed.map((v) => JSON.stringify(v)).join(", ")}`,
      reason: "FieldValueNotSupported",
    };
  }
  return {
    field: base,
    message: `Invalid value: ${err.message ?? err.keyword}`,
    reason: "FieldValueInvalid",
  };
}

/** CEL sees schema integers as int (BigInt in cel-js) and numbers as double, like the apiserver. */
function toCel(value: unknown, schema: SchemaNode | undefined): unknown {
  if (value === null || value === undefined || !schema) return value;
  if (schema.type === "integer" && typeof value === "number") return BigInt(Math.trunc(value));
  if (Array.isArray(value)) return value.map((v) => toCel(v, schema.items));
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const child =
        schema.properties?.[k] ??
        (typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined);
      out[k] = toCel(v, child);
    }
    return out;
  }
  return value;
}

function celWalk(schema: SchemaNode, value: unknown, path: string, errors: FieldError[]): void {
  if (value === undefined || value === null) return;
  for (const rule of schema["x-kubernetes-validations"] ?? []) {
    let ok: unknown;
    try {
      ok = evaluate(rule.rule, { self: toCel(value, schema) });
    } catch (e) {
      errors.push({
        field: path,
        message: `rule evaluation error: ${(e as Error).message}`,
        reason: "FieldValueInvalid",
      });
      continue;
    }
    if (ok !== true) {
      const field = rule.fieldPath ? `${path}${rule.fieldPath}` : path;
      errors.push({
        field,
        message: rule.message ?? `failed rule: ${rule.rule}`,
        reason: rule.reason ?? "FieldValueInvalid",
      });
    }
  }
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((v, i) => celWalk(schema.items!, v, `${path}[${i}]`, errors));
    return;
  }
  if (typeof value !== "object") return;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const prop = schema.properties?.[k];
    if (prop) celWalk(prop, v, path ? `${path}.${k}` : k, errors);
    else if (typeof schema.additionalProperties === "object")
      celWalk(schema.additionalProperties, v, `${path}[${k}]`, errors);
  }
}

/**
 * All field errors of `object` under `schema` (an openAPIV3Schema). Like the apiserver,
 * CEL rules only run when the OpenAPI checks pass, so a type error is not reported twice.
 */
export function validateObject(schema: Record<string, unknown>, object: unknown): FieldError[] {
  const validate = compile(schema as SchemaNode);
  if (!validate(object)) return (validate.errors ?? []).map(fromAjv);
  const errors: FieldError[] = [];
  celWalk(schema as SchemaNode, object, "", errors);
  return errors;
}

/** One line per error, as `kubectl apply` would print them. */
export function formatFieldErrors(errors: FieldError[]): string {
  return errors.map((e) => `${e.field || "<root>"}: ${e.message}`).join("; ");
}
