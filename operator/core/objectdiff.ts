// Structural comparisons of JSON values, used to decide whether a write is needed at all.

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const aKeys = Object.keys(a).filter((k) => a[k] !== undefined);
    const bKeys = Object.keys(b).filter((k) => b[k] !== undefined);
    return aKeys.length === bKeys.length && aKeys.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * True when every field set in `desired` has the same value in `live`. Fields only in `live`
 * (defaults the apiserver filled in, fields other managers own) do not count as differences.
 * Lists must have the same length and match element by element, as an atomic list or a list
 * the apiserver keeps in our order would.
 */
export function containsFields(live: unknown, desired: unknown): boolean {
  if (desired === undefined) return true;
  if (Array.isArray(desired)) {
    return (
      Array.isArray(live) &&
      live.length === desired.length &&
      desired.every((d, i) => containsFields(live[i], d))
    );
  }
  if (isPlainObject(desired)) {
    return isPlainObject(live) && Object.keys(desired).every((k) => containsFields(live[k], desired[k]));
  }
  return live === desired;
}

/**
 * An RFC 7386 JSON merge patch that turns `from` into `to`: changed fields, `null` for removed
 * ones, nested objects patched recursively, lists replaced whole. Empty when they are equal.
 */
export function createMergePatch(from: unknown, to: unknown): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const source = isPlainObject(from) ? from : {};
  const target = isPlainObject(to) ? to : {};
  for (const key of Object.keys(source)) {
    if (source[key] !== undefined && target[key] === undefined) patch[key] = null;
  }
  for (const [key, value] of Object.entries(target)) {
    if (value === undefined) continue;
    const old = source[key];
    if (isPlainObject(value) && isPlainObject(old)) {
      const nested = createMergePatch(old, value);
      if (Object.keys(nested).length > 0) patch[key] = nested;
    } else if (!deepEqual(old, value)) {
      patch[key] = value;
    }
  }
  return patch;
}
