// The golden set a quality gate replays: inline samples plus those in a ConfigMap key (a YAML
// list of samples, or an object with a `samples` list), checked for the fields the gate uses.
import { parse } from "yaml";
import type { CheckSample, QualityGate } from "../../../crds/index.js";
import { ACTIONS } from "../../../crds/index.js";

export const DEFAULT_SAMPLES_KEY = "samples.yaml";

export class SamplesError extends Error {}

function checkSample(raw: unknown, where: string): CheckSample {
  const s = raw as Partial<CheckSample> | null;
  if (!s || typeof s.text !== "string" || s.text.length === 0) {
    throw new SamplesError(`${where}: text must be a non-empty string`);
  }
  const action = s.expect?.action;
  if (typeof action !== "string" || !(ACTIONS as readonly string[]).includes(action)) {
    throw new SamplesError(`${where}: expect.action must be one of ${ACTIONS.join(", ")}`);
  }
  const categories = s.expect?.categories;
  if (
    categories !== undefined &&
    (!Array.isArray(categories) || categories.some((c) => typeof c !== "string"))
  ) {
    throw new SamplesError(`${where}: expect.categories must be a list of strings`);
  }
  return s as CheckSample;
}

/** Samples from a ConfigMap value; throws SamplesError naming the bad entry. */
export function parseSamples(text: string, source: string): CheckSample[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new SamplesError(`${source}: not YAML: ${(err as Error).message.split("\n", 1)[0]}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { samples?: unknown } | null)?.samples;
  if (!Array.isArray(list)) throw new SamplesError(`${source}: expected a list of samples`);
  return list.map((s, i) => checkSample(s, `${source}[${i}]`));
}

/**
 * Every sample of a gate. `configMapData` is the referenced ConfigMap's data, or undefined
 * when it does not exist (an error: the gate cannot be judged without its samples).
 */
export function gateSamples(
  gate: QualityGate,
  configMapData: Readonly<Record<string, string>> | undefined,
): CheckSample[] {
  const samples = [...(gate.samples ?? [])];
  const ref = gate.samplesConfigMapRef;
  if (ref) {
    const key = ref.key ?? DEFAULT_SAMPLES_KEY;
    if (!configMapData)
      throw new SamplesError(`ConfigMap ${ref.name} (checks.samplesConfigMapRef) does not exist`);
    const text = configMapData[key];
    if (text === undefined) throw new SamplesError(`ConfigMap ${ref.name} has no key ${key}`);
    samples.push(...parseSamples(text, `ConfigMap ${ref.name} key ${key}`));
  }
  return samples;
}
