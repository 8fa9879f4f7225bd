// The largest Policy the CRD admits still fits the ConfigMap the operator renders it into and
// etcd's object limit: the bounds in crds/policy.ts are chosen for this.
import { describe, expect, it } from "vitest";
import {
  MAX_CATEGORIES,
  MAX_LANGUAGES,
  MAX_TERM_LENGTH,
  POLICY,
  TERMS_PER_LANGUAGE,
  TERMS_PER_POLICY,
  openAPIV3Schema,
  type Policy,
} from "../../crds/index.js";
import { validateManifest } from "../../crds/validation.js";
import { MAX_POLICY_BYTES, renderPolicyFile } from "./policy-configmap.js";

/** etcd's default request limit (--max-request-bytes), which bounds one stored object. */
const ETCD_MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

// A 4-byte UTF-8 character YAML writes as is: the most bytes one character of a term can take.
const WIDEST = "😀";
/** A term of MAX_TERM_LENGTH characters (code points, as the apiserver counts them). */
const term = (i: number) => `${i}${WIDEST.repeat(MAX_TERM_LENGTH - String(i).length)}`;
const terms = (n: number) => Array.from({ length: n }, (_, i) => term(i));
const categoryName = (i: number) => `c${i}`.padEnd(63, "x");
const categories = () =>
  Object.fromEntries(
    Array.from({ length: MAX_CATEGORIES }, (_, i) => [
      categoryName(i),
      { flag: 0.123456789, review: 0.223456789, block: 0.323456789 },
    ]),
  );

function largestPolicy(): Policy {
  const quarter = TERMS_PER_POLICY / 4;
  return {
    apiVersion: "moderation.vigil.dev/v1alpha1",
    kind: "Policy",
    metadata: { name: "largest", namespace: "default", generation: 1 },
    spec: {
      categories: categories(),
      defaultAction: "allow",
      terms: { block: terms(quarter), review: terms(quarter), flag: terms(quarter), allow: terms(quarter) },
      languages: Object.fromEntries(
        Array.from({ length: MAX_LANGUAGES }, (_, i) => [
          `l${String.fromCharCode(97 + i)}`,
          { categories: categories(), terms: { block: terms(TERMS_PER_LANGUAGE) } },
        ]),
      ),
      categoryMap: Object.fromEntries(
        Array.from({ length: MAX_CATEGORIES }, (_, i) => [categoryName(i), "harassment"]),
      ),
    },
  };
}

describe("the largest admitted Policy", () => {
  const policy = largestPolicy();

  it("is admitted by the CRD", () => {
    expect([...term(123)].length).toBe(MAX_TERM_LENGTH);
    expect(validateManifest(openAPIV3Schema(POLICY), policy)).toEqual([]);
  });

  it("renders into the policy ConfigMap", () => {
    expect(Buffer.byteLength(renderPolicyFile(policy), "utf8")).toBeLessThanOrEqual(MAX_POLICY_BYTES);
  });

  it("fits an etcd object with room for metadata", () => {
    expect(Buffer.byteLength(JSON.stringify(policy), "utf8")).toBeLessThan(ETCD_MAX_OBJECT_BYTES / 1.25);
  });
});
