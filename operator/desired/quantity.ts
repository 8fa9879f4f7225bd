// Kubernetes resource quantities ("500m", "1Gi", "2", 1.5, "1e3") as plain numbers, for the
// few decisions the operator makes from them (request <= limit, threads per worker).
import { DesiredInputError } from "./errors.js";

const SUFFIX: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** The quantity's value in base units (cores, bytes); throws DesiredInputError naming `field`. */
export function parseQuantity(value: number | string, field: string): number {
  if (typeof value === "number") return value;
  const match = QUANTITY.exec(value.trim());
  if (!match)
    throw new DesiredInputError(field, `"${value}" is not a resource quantity such as 500m, 2 or 1Gi`);
  return Number(match[1]) * (SUFFIX[match[2] ?? ""] ?? 1);
}

/** Quantities as the strings a Pod spec carries (the API accepts numbers, but its types say string). */
export function quantityString(value: number | string): string {
  return typeof value === "number" ? String(value) : value;
}
