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

// Size budget. The operator renders the whole Policy into a ConfigMap (1 MiB of data) and
// etcd stores it (1.5 MiB per object), so the term lists are bounded in total, not only per
// list: TERMS_PER_POLICY at the top level plus TERMS_PER_LANGUAGE in each of at most
// MAX_LANGUAGES overrides, each term at most MAX_TERM_LENGTH characters (<= 4 UTF-8 bytes
// each). The worst case renders to about 0.9 MiB; operator/desired/policy-size.test.ts builds
// it and holds it under the ConfigMap limit. The totals are CEL sums of size(), whose cost
// does not grow with the lists; the per-term syntax is an OpenAPI pattern, which costs no CEL.
export const MAX_TERM_LENGTH = 64;
export const TERMS_PER_POLICY = 2000;
export const TERMS_PER_LANGUAGE = 50;
export const MAX_LANGUAGES = 16;
export const MAX_CATEGORIES = 64;

// Characters a term must not consist of alone (separators: spaces, line and paragraph
// separators) or contain at all (control and format characters such as zero-width spaces and
// joiners, which the runtime's normalisation strips, so such a term could never match as
// written). Unicode property classes, the one syntax RE2 (the apiserver) and JavaScript regular
// expressions with the u flag (ajv) share; literal characters would put U+2028 and U+FEFF into
// the CRD's YAML, which YAML parsers (Helm's, kubectl's) read as a line break and refuse.
const CONTROL = "\\p{Cc}";
const ZERO_WIDTH = "\\p{Cf}";
const SPACE = "\\p{Z}";
export const TERM_PATTERN = `^[^${CONTROL}${ZERO_WIDTH}]*[^${CONTROL}${ZERO_WIDTH}${SPACE}][^${CONTROL}${ZERO_WIDTH}]*$`;

const Term = Type.String({ minLength: 1, maxLength: MAX_TERM_LENGTH, pattern: TERM_PATTERN });

const TermList = (description: string) => Type.Array(Term, { maxItems: TERMS_PER_POLICY, description });

const TERM_LIST_NAMES = ["block", "review", "flag", "allow"] as const;

const termLists = (maxTerms: number) =>
  withRules(
    Type.Object(
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
          "zero-width and homoglyph removal). Each term: 1-64 characters, not only spaces, no control or zero-width " +
          "characters.",
      },
    ),
    {
      rule: `${TERM_LIST_NAMES.map((list) => `(has(self.${list}) ? size(self.${list}) : 0)`).join(" + ")} <= ${maxTerms}`,
      message: `at most ${maxTerms} terms here in all lists together, so the Policy fits the ConfigMap the operator renders`,
    },
  );
export type TermLists = Static<ReturnType<typeof termLists>>;

const CategoryName = {
  rule: "self.all(k, size(k) <= 63)",
  message: "category names are at most 63 characters",
};

const CategoryMapTarget = StringEnum(OPENAI_CATEGORIES);

export const LanguageOverride = Type.Object(
  {
    categories: Type.Optional(
      withRules(
        MapOf(CategoryThresholds, {
          maxProperties: MAX_CATEGORIES,
          description: "Replaces thresholds per category.",
        }),
        CategoryName,
      ),
    ),
    terms: Type.Optional(termLists(TERMS_PER_LANGUAGE)),
  },
  { description: "Overrides applied when the detected (or given) language matches the key." },
);
export type LanguageOverride = Static<typeof LanguageOverride>;

export const PolicySpec = Type.Object({
  categories: Type.Optional(
    withRules(
      MapOf(CategoryThresholds, {
        maxProperties: MAX_CATEGORIES,
        description: "Model label (or mapped category) -> thresholds.",
      }),
      CategoryName,
    ),
  ),
  defaultAction: Type.Optional(
    StringEnum(ACTIONS, { description: "Action when no threshold or term matches. Default: allow." }),
  ),
  terms: Type.Optional(termLists(TERMS_PER_POLICY)),
  languages: Type.Optional(
    withRules(
      MapOf(LanguageOverride, {
        maxProperties: MAX_LANGUAGES,
        description: "ISO 639-1/639-3 language code -> overrides.",
      }),
      {
        rule: "self.all(k, k.matches('^[a-z]{2,3}$'))",
        message: "language keys must be ISO 639 codes such as 'de' or 'fil'",
      },
    ),
  ),
  categoryMap: Type.Optional(
    withRules(
      MapOf(CategoryMapTarget, {
        maxProperties: MAX_CATEGORIES,
        description: "Model label -> OpenAI moderation category name, for /v1/moderations.",
      }),
      CategoryName,
    ),
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
