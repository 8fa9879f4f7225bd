// Kubernetes resource quantities ("500m", "1Gi", "2", 1.5, "1e3") as plain numbers, for the
// few decisions the operator makes from them (request <= limit, threads per worker).
import { quantityValue } from "../../crds/quantity.js";
import { DesiredInputError } from "./errors.js";

/** The quantity's value in base units (cores, bytes); throws DesiredInputError naming `field`. */
export function parseQuantity(value: number | string, field: string): number {
  if (typeof value === "number") return value;
  const parsed = quantityValue(value.trim());
  if (parsed === undefined)
    throw new DesiredInputError(field, `"${value}" is not a resource quantity such as 500m, 2 or 1Gi`);
  return parsed;
}

/** Quantities as the strings a Pod spec carries (the API accepts numbers, but its types say string). */
export function quantityString(value: number | string): string {
  return typeof value === "number" ? String(value) : value;
}
