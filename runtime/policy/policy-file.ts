// Reads a Policy object from a YAML/JSON file (the operator renders it into a ConfigMap key) and
// validates it with the same openAPIV3Schema and CEL rules the Policy CRD enforces, so a file
// the cluster would reject is rejected here too, with the same field paths.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { API_VERSION, POLICY, openAPIV3Schema, type Policy } from "../../crds/index.js";
import { formatFieldErrors, validateObject } from "../../crds/validation.js";
import { PolicyFileError } from "../errors.js";

const POLICY_SCHEMA = openAPIV3Schema(POLICY);

export interface LoadedPolicy {
  policy: Policy;
  name: string;
  /** metadata.generation, 0 when the file has none (a hand-written local file). */
  generation: number;
  /** sha256 of the file content: tells two revisions with the same generation apart. */
  fingerprint: string;
}

export function fingerprintOf(content: string): string {
  return createHash("sha256").update(content).digest("hex").slice(0, 16);
}

/** Parses and validates policy file content; throws PolicyFileError with a one-line message. */
export function parsePolicy(file: string, content: string): LoadedPolicy {
  let object: unknown;
  try {
    object = parse(content, { prettyErrors: false });
  } catch (e) {
    throw new PolicyFileError(file, `not valid YAML/JSON: ${(e as Error).message.split("\n")[0]}`);
  }
  if (typeof object !== "object" || object === null || Array.isArray(object)) {
    throw new PolicyFileError(file, "expected a Policy object (apiVersion, kind, metadata, spec)");
  }
  const record = object as Record<string, unknown>;
  if (record.kind !== "Policy") {
    throw new PolicyFileError(file, `kind: expected 'Policy', got ${JSON.stringify(record.kind)}`);
  }
  if (record.apiVersion !== undefined && record.apiVersion !== API_VERSION) {
    throw new PolicyFileError(
      file,
      `apiVersion: expected '${API_VERSION}', got ${JSON.stringify(record.apiVersion)}`,
    );
  }
  const errors = validateObject(POLICY_SCHEMA, object);
  if (errors.length > 0) throw new PolicyFileError(file, formatFieldErrors(errors));
  const policy = object as unknown as Policy;
  const generation = policy.metadata?.generation ?? 0;
  if (!Number.isInteger(generation) || generation < 0) {
    throw new PolicyFileError(file, "metadata.generation: must be a non-negative integer");
  }
  return {
    policy,
    name: policy.metadata?.name ?? "unnamed",
    generation,
    fingerprint: fingerprintOf(content),
  };
}

export async function readPolicyFile(file: string): Promise<{ content: string; loaded: LoadedPolicy }> {
  let content: string;
  try {
    content = await readFile(file, "utf8");
  } catch (e) {
    throw new PolicyFileError(
      file,
      `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return { content, loaded: parsePolicy(file, content) };
}
