// The resource.Quantity grammar of k8s.io/apimachinery (ParseQuantity), shared by the CEL
// `isQuantity()`/`quantity()` functions the validator implements and the operator's arithmetic,
// so what the CRD admits is exactly what the operator can read.
//   <quantity> ::= <sign>? <number> <suffix>
//   <number>   ::= digits | digits "." digits? | "." digits
//   <suffix>   ::= binarySI (Ki..Ei) | decimalSI (n u m "" k M G T P E) | (e|E) <sign>? digits

export const QUANTITY_SUFFIX_VALUE: Readonly<Record<string, number>> = {
  "": 1,
  n: 1e-9,
  u: 1e-6,
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

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

/** The quantity's value in base units (cores, bytes), or undefined when `text` is no quantity. */
export function quantityValue(text: string): number | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const suffix = match[2] ?? "";
  const scale = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : QUANTITY_SUFFIX_VALUE[suffix]!;
  return Number(match[1]) * scale;
}
