// Validates an object against a CRD openAPIV3Schema the way the apiserver does: OpenAPI
// schema first (ajv), then the CEL `x-kubernetes-validations` rules (cel-js with the
// Kubernetes library functions of crds/cel-library.ts), reporting Kubernetes-style field
// paths. Used by the tests, the API emulator (422 responses), the operator (Policy Valid
// condition) and, through validateManifest, `vigil render`.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import ajvFormats, { type FormatsPlugin } from "ajv-formats";
import type { ParseResult } from "@marcbachmann/cel-js";
import { kubernetesCelEnvironment } from "./cel-library.js";
import { OBJECT_META_FIELDS, validateObjectMeta, type ObjectMetaInput } from "./object-meta.js";

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
// int32/int64 come from the upstream types and Int32(); date-time from status timestamps.
addFormats(ajv, ["date-time", "int32", "int64"]);

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

/**
 * CEL sees schema integers (and the integer side of int-or-string) as int, BigInt in cel-js,
 * and numbers as double, like the apiserver.
 */
function toCel(value: unknown, schema: SchemaNode | undefined): unknown {
  if (value === null || value === undefined || !schema) return value;
  const integer = schema.type === "integer" || schema["x-kubernetes-int-or-string"] === true;
  if (integer && typeof value === "number" && Number.isInteger(value)) return BigInt(value);
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

const cel = kubernetesCelEnvironment();
const programs = new Map<string, ParseResult>();

function evaluateRule(rule: string, self: unknown): unknown {
  let program = programs.get(rule);
  if (!program) {
    program = cel.parse(rule);
    programs.set(rule, program);
  }
  return program({ self });
}

function celWalk(schema: SchemaNode, value: unknown, path: string, errors: FieldError[]): void {
  if (value === undefined || value === null) return;
  for (const rule of schema["x-kubernetes-validations"] ?? []) {
    let ok: unknown;
    try {
      ok = evaluateRule(rule.rule, toCel(value, schema));
    } catch (e) {
      errors.push({
        field: path,
        message: `rule evaluation error: ${(e as Error).message}`,
        reason: "FieldValueInvalid",
      });
      continue;
    }
    if (ok !== true) {
      // At the root a fieldPath such as `.metadata.name` is reported without its leading dot.
      const field = rule.fieldPath ? `${path}${rule.fieldPath}`.replace(/^\./, "") : path;
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

/**
 * Paths of fields the schema does not declare (outside `x-kubernetes-preserve-unknown-fields`),
 * which the apiserver prunes, or refuses under `fieldValidation=Strict`.
 */
export function unknownFields(schema: Record<string, unknown>, object: unknown): string[] {
  const found: string[] = [];
  const walk = (node: SchemaNode | undefined, value: unknown, path: string): void => {
    if (!node || node["x-kubernetes-preserve-unknown-fields"] === true) return;
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(node.items, v, `${path}[${i}]`));
      return;
    }
    if (value === null || typeof value !== "object") return;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const here = path ? `${path}.${k}` : k;
      if (path === "metadata") {
        if (!OBJECT_META_FIELDS.has(k)) found.push(here);
        continue;
      }
      const child =
        node.properties?.[k] ??
        (typeof node.additionalProperties === "object" ? node.additionalProperties : undefined);
      if (child) walk(child, v, here);
      else if (node.additionalProperties !== true) found.push(here);
    }
  };
  walk(schema as SchemaNode, object, "");
  return found;
}

/**
 * What `kubectl apply` (fieldValidation=Strict since kubectl 1.27) gets back for a manifest of
 * a custom resource: unknown fields first (a 400 before any validation), else the metadata and
 * schema errors of a 422.
 */
export function validateManifest(schema: Record<string, unknown>, object: unknown): FieldError[] {
  const unknown = unknownFields(schema, object);
  if (unknown.length > 0)
    return unknown.map((field) => ({
      field,
      message: `unknown field "${field}"`,
      reason: "FieldValueUnknown",
    }));
  const meta = ((object as { metadata?: ObjectMetaInput }).metadata ?? {}) as ObjectMetaInput;
  return [...validateObjectMeta(meta, { dnsLabelName: false }), ...validateObject(schema, object)];
}
