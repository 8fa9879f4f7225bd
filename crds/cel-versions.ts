// The oldest Kubernetes release whose apiserver accepts every CEL rule in Vigil's CRDs.
// k8s.io/apiserver/pkg/cel/environment/base.go introduces each library at a version, and a
// new CRD's rules compile against the previous minor's environment (the compatibility
// version is n-1), so a function introduced in 1.N is usable in a new CRD from 1.N+1.
// test/pure/cel-versions.test.ts scans the rules and fails on a function missing here or
// newer than MIN_KUBERNETES_VERSION; README.md states the same minimum.

export const MIN_KUBERNETES_VERSION = "1.31";

/** CEL function or macro -> the first Kubernetes minor whose new CRDs may use it. */
export const CEL_FUNCTION_VERSIONS: Readonly<Record<string, string>> = {
  // CEL core and macros, and the regex/list libraries: CRD validation rules GA (1.25).
  has: "1.25",
  all: "1.25",
  exists: "1.25",
  exists_one: "1.25",
  map: "1.25",
  filter: "1.25",
  size: "1.25",
  type: "1.25",
  int: "1.25",
  string: "1.25",
  matches: "1.25",
  startsWith: "1.25",
  endsWith: "1.25",
  contains: "1.25",
  // Quantity library: introduced 1.28.
  isQuantity: "1.29",
  quantity: "1.29",
  sign: "1.29",
  isLessThan: "1.29",
  isGreaterThan: "1.29",
  compareTo: "1.29",
  // IP and CIDR libraries: introduced 1.30.
  isCIDR: "1.31",
  cidr: "1.31",
  isIP: "1.31",
  ip: "1.31",
  // Format library: introduced 1.31.
  format: "1.32",
};
