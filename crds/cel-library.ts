// The Kubernetes CEL library functions Vigil's CRD rules use, for cel-js, implemented the way
// k8s.io/apiserver/pkg/cel/library does (quantity.go, cidr.go), so the validator and the API
// emulator reach the apiserver's verdict. Only what the rules call is here; the table of
// functions and the Kubernetes version that introduced each is crds/cel-versions.ts.
import { Environment } from "@marcbachmann/cel-js";
import { isIPv6 } from "node:net";
import { quantityValue } from "./quantity.js";

/** A parsed resource.Quantity (`quantity('1Gi')`). */
export class Quantity {
  constructor(readonly value: number) {}
}

function parseIPv4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((p) => (/^(0|[1-9]\d{0,2})$/.test(p) ? Number(p) : NaN));
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

/** 16 bytes of an IPv6 address, or undefined (zones are refused, as netip.ParsePrefix does). */
function parseIPv6(text: string): number[] | undefined {
  if (text.includes("%") || !isIPv6(text)) return undefined;
  let tail: number[] = [];
  let head = text;
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const bytes = parseIPv4(v4[2]!);
    if (!bytes) return undefined;
    tail = bytes;
    head = v4[1]!.endsWith("::") ? v4[1]! : v4[1]!.slice(0, -1);
  }
  const groups = (s: string) => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  const [left = "", right] = head.split("::");
  const l = groups(left);
  const r = right === undefined ? [] : groups(right);
  const missing = 8 - tail.length / 2 - l.length - r.length;
  const words = [...l, ...Array<number>(right === undefined ? 0 : missing).fill(0), ...r];
  return [...words.flatMap((w) => [w >> 8, w & 0xff]), ...tail];
}

/** `isCIDR()`: netip.ParsePrefix, minus IPv4-mapped IPv6 addresses. */
export function isCidr(text: string): boolean {
  const match = /^([^/]+)\/(0|[1-9]\d{0,2})$/.exec(text);
  if (!match) return false;
  const bits = Number(match[2]);
  if (parseIPv4(match[1]!)) return bits <= 32;
  const v6 = parseIPv6(match[1]!);
  if (!v6 || bits > 128) return false;
  const v4Mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return !v4Mapped;
}

/** A cel-js environment with the Kubernetes functions; `self` and other variables are dyn. */
export function kubernetesCelEnvironment(): Environment {
  return (
    new Environment({ unlistedVariablesAreDyn: true })
      .registerType("Quantity", Quantity)
      .registerFunction("isQuantity(string): bool", (s: string) => quantityValue(s) !== undefined)
      .registerFunction("quantity(string): Quantity", (s: string) => {
        const value = quantityValue(s);
        if (value === undefined) throw new Error(`quantities must match the regular expression: ${s}`);
        return new Quantity(value);
      })
      // A global function upstream, though its documentation shows `q.sign()`.
      .registerFunction("sign(Quantity): int", (q: Quantity) => BigInt(Math.sign(q.value)))
      .registerFunction(
        "Quantity.isLessThan(Quantity): bool",
        (a: Quantity, b: Quantity) => a.value < b.value,
      )
      .registerFunction("isCIDR(string): bool", (s: string) => isCidr(s))
  );
}
