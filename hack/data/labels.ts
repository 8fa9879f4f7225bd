/** The moderation categories of Vigil's default model, in logit order (config.json id2label). */
export const LABELS = ["toxicity", "insult", "threat", "hate", "sexual", "self_harm", "violence"] as const;
export type Label = (typeof LABELS)[number];

export function isLabel(value: unknown): value is Label {
  return typeof value === "string" && (LABELS as readonly string[]).includes(value);
}
