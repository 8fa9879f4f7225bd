import { Type, type Static } from "@sinclair/typebox";
import { Conditions, MapOf, StringEnum, withRules, type ObjectMeta } from "./schema.js";

export const ACTIONS = ["allow", "flag", "review", "block"] as const;
export type Action = (typeof ACTIONS)[number];

/** The 13 category names of the OpenAI moderation API (omni-moderation), in its order. */
export const OPENAI_CATEGORIES = [
  "harassment",
  "harassment/threatening",
  "hate",
  "hate/threatening",
  "illicit",
  "illicit/violent",
  "self-harm",
  "self-harm/instructions",
  "self-harm/intent",
  "sexual",
  "sexual/minors",
  "violence",
  "violence/graphic",
] as const;
export type OpenAICategory = (typeof OPENAI_CATEGORIES)[number];

const Score = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });

export const CategoryThresholds = withRules(
  Type.Object(
    {
      flag: Type.Optional(Score("Score at or above which the text is flagged.")),
      review: Type.Optional(Score("Score at or above which the text goes to human review.")),
      block: Type.Optional(Score("Score at or above which the text is blocked.")),
    },
    { description: "Score thresholds for one category; the strictest action whose threshold is met wins." },
  ),
  {
    rule: "has(self.flag) || has(self.review) || has(self.block)",
    message: "a category needs at least one of flag, review, block",
  },
  {
    rule: "!has(self.flag) || !has(self.review) || self.flag <= self.review",
    message: "flag must be <= review",
    fieldPath: ".flag",
  },
  {
    rule: "!has(self.review) || !has(self.block) || self.review <= self.block",
    message: "review must be <= block",
    fieldPath: ".review",
  },
  {
    rule: "!has(self.flag) || !has(self.block) || self.flag <= self.block",
    message: "flag must be <= block",
    fieldPath: ".flag",
  },
);
export type CategoryThresholds = Static<typeof CategoryThresholds>;

const TermList = (description: string) =>
  Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 10000, description });

export const TermLists = Type.Object(
  {
    block: Type.Optional(TermList("Terms that block the text whatever the scores.")),
    review: Type.Optional(TermList("Terms that send the text to review.")),
    flag: Type.Optional(TermList("Terms that flag the text.")),
    allow: Type.Optional(
      TermList("Terms that never count as matches (e.g. 'Scunthorpe'); they mask term-list hits only."),
    ),
  },
  {
    description:
      "Word-boundary, case-insensitive term lists matched after Unicode normalisation (NFKC, case folding, " +
      "zero-width and homoglyph removal).",
  },
);
export type TermLists = Static<typeof TermLists>;

const CategoryMapTarget = StringEnum(OPENAI_CATEGORIES);

export const LanguageOverride = Type.Object(
  {
    categories: Type.Optional(
      MapOf(CategoryThresholds, { description: "Replaces thresholds per category." }),
    ),
    terms: Type.Optional(TermLists),
  },
  { description: "Overrides applied when the detected (or given) language matches the key." },
);
export type LanguageOverride = Static<typeof LanguageOverride>;

export const PolicySpec = Type.Object({
  categories: Type.Optional(
    MapOf(CategoryThresholds, { description: "Model label (or mapped category) -> thresholds." }),
  ),
  defaultAction: Type.Optional(
    StringEnum(ACTIONS, { description: "Action when no threshold or term matches. Default: allow." }),
  ),
  terms: Type.Optional(TermLists),
  languages: Type.Optional(
    withRules(MapOf(LanguageOverride, { description: "ISO 639-1/639-3 language code -> overrides." }), {
      rule: "self.all(k, k.matches('^[a-z]{2,3}$'))",
      message: "language keys must be ISO 639 codes such as 'de' or 'fil'",
    }),
  ),
  categoryMap: Type.Optional(
    MapOf(CategoryMapTarget, {
      description: "Model label -> OpenAI moderation category name, for /v1/moderations.",
    }),
  ),
  termCategory: Type.Optional(
    StringEnum(OPENAI_CATEGORIES, {
      description:
        "OpenAI moderation category a term-list match reports on /v1/moderations, so a client sees " +
        "why a text was flagged by a term alone. Default: harassment.",
    }),
  ),
});
export type PolicySpec = Static<typeof PolicySpec>;

export const PolicyStatus = Type.Object({
  observedGeneration: Type.Optional(Type.Integer()),
  conditions: Type.Optional(Conditions),
  usedBy: Type.Optional(
    Type.Array(Type.String(), { description: "ModerationServices that reference this Policy." }),
  ),
});
export type PolicyStatus = Static<typeof PolicyStatus>;

export interface Policy {
  apiVersion: "moderation.vigil.dev/v1alpha1";
  kind: "Policy";
  metadata: ObjectMeta;
  spec: PolicySpec;
  status?: PolicyStatus;
}
