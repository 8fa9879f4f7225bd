// JSON patch (RFC 6902) with JSON pointers (RFC 6901). A malformed patch document is the
// client's fault (400); a patch that cannot be applied to this object is 422, as upstream.
import { ApiError, badRequest } from "../errors.js";
import { deepEqual } from "../json.js";

interface Operation {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  from?: string;
  value?: unknown;
}

const OPS = new Set(["add", "remove", "replace", "move", "copy", "test"]);

function cannotApply(message: string): ApiError {
  return new ApiError(422, "Invalid", message);
}

export function parseJsonPatch(body: unknown): Operation[] {
  if (!Array.isArray(body))
    throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  return body.map((raw, i) => {
    if (typeof raw !== "object" || raw === null)
      throw badRequest(`invalid JSON patch operation at index ${i}`);
    const op = raw as Partial<Operation>;
    if (!op.op || !OPS.has(op.op)) throw badRequest(`Unexpected kind: ${String(op.op)}`);
    if (typeof op.path !== "string") throw badRequest(`operation at index ${i} is missing path`);
    if ((op.op === "move" || op.op === "copy") && typeof op.from !== "string")
      throw badRequest(`operation at index ${i} is missing from`);
    if ((op.op === "add" || op.op === "replace" || op.op === "test") && !("value" in op))
      throw badRequest(`operation at index ${i} is missing value`);
    return op as Operation;
  });
}

function tokens(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw cannotApply(`invalid JSON pointer: "${pointer}"`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

type Container = Record<string, unknown> | unknown[];

/** The parent container of `pointer` and the last token, or an error when the parent is missing. */
function resolveParent(doc: unknown, pointer: string): { parent: Container; key: string } {
  const toks = tokens(pointer);
  if (toks.length === 0) throw cannotApply("cannot operate on the document root");
  let cur: unknown = doc;
  for (const t of toks.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (typeof cur === "object" && cur !== null) cur = (cur as Record<string, unknown>)[t];
    else cur = undefined;
    if (cur === undefined || cur === null)
      throw cannotApply(`doc is missing path: "${pointer}": missing value`);
  }
  if (typeof cur !== "object" || cur === null)
    throw cannotApply(`doc is missing path: "${pointer}": missing value`);
  return { parent: cur as Container, key: toks[toks.length - 1]! };
}

function arrayIndex(arr: unknown[], key: string, forInsert: boolean): number {
  if (forInsert && key === "-") return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(key)) throw cannotApply(`invalid array index: ${key}`);
  const i = Number(key);
  if (i > arr.length || (!forInsert && i === arr.length))
    throw cannotApply(`array index out of bounds: ${i}`);
  return i;
}

function get(doc: unknown, pointer: string): unknown {
  if (pointer === "") return doc;
  const { parent, key } = resolveParent(doc, pointer);
  const v = Array.isArray(parent) ? parent[arrayIndex(parent, key, false)] : parent[key];
  if (v === undefined) throw cannotApply(`doc is missing path: "${pointer}": missing value`);
  return v;
}

function add(doc: unknown, pointer: string, value: unknown): unknown {
  if (pointer === "") return value;
  const { parent, key } = resolveParent(doc, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true), 0, value);
  else parent[key] = value;
  return doc;
}

function remove(doc: unknown, pointer: string): unknown {
  const { parent, key } = resolveParent(doc, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, false), 1);
  else {
    if (!(key in parent)) throw cannotApply(`Unable to remove nonexistent key: ${key}: missing value`);
    delete parent[key];
  }
  return doc;
}

export function applyJsonPatch(target: unknown, ops: Operation[]): unknown {
  let doc = structuredClone(target);
  for (const op of ops) {
    switch (op.op) {
      case "add":
        doc = add(doc, op.path, structuredClone(op.value));
        break;
      case "remove":
        doc = remove(doc, op.path);
        break;
      case "replace":
        get(doc, op.path);
        if (op.path === "") doc = structuredClone(op.value);
        else {
          const { parent, key } = resolveParent(doc, op.path);
          if (Array.isArray(parent)) parent[arrayIndex(parent, key, false)] = structuredClone(op.value);
          else parent[key] = structuredClone(op.value);
        }
        break;
      case "move": {
        const value = get(doc, op.from!);
        doc = remove(doc, op.from!);
        doc = add(doc, op.path, value);
        break;
      }
      case "copy":
        doc = add(doc, op.path, structuredClone(get(doc, op.from!)));
        break;
      case "test":
        if (!deepEqual(get(doc, op.path), op.value))
          throw cannotApply(`testing value ${op.path} failed: test failed`);
        break;
    }
  }
  return doc;
}
