// POST /v1/classify: Vigil's native API. Scores per model label, the Policy decision with its
// reasons, the language used, and which model and Policy generation produced it.
import { Type, type Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { ACTIONS } from "../../crds/index.js";
import { InvalidRequestError } from "../errors.js";
import type { ModerationOutcome, TextResult } from "../moderation/moderator.js";
import { isCategoryReason, type Reason } from "../policy/policy-engine.js";
import type { RuntimeState } from "../server/runtime-state.js";
import {
  LANGUAGE_PATTERN,
  MAX_CONTEXT_ENTRIES,
  MAX_CONTEXT_KEY_LENGTH,
  MAX_CONTEXT_VALUE_LENGTH,
  MAX_TEXTS_PER_REQUEST,
  MAX_TEXT_LENGTH,
} from "./request-limits.js";

export const ClassifyRequest = Type.Object(
  {
    text: Type.Optional(
      Type.String({
        maxLength: MAX_TEXT_LENGTH,
        description: "One text to classify. Give `text` or `texts`, not both.",
      }),
    ),
    texts: Type.Optional(
      Type.Array(Type.String({ maxLength: MAX_TEXT_LENGTH }), {
        minItems: 1,
        maxItems: MAX_TEXTS_PER_REQUEST,
        description: "Several texts, classified together; results keep their order.",
      }),
    ),
    language: Type.Optional(
      Type.String({
        pattern: LANGUAGE_PATTERN,
        description:
          "ISO 639 code of the texts' language. Skips detection and selects that language's Policy overrides.",
      }),
    ),
    context: Type.Optional(
      Type.Record(
        Type.String({ maxLength: MAX_CONTEXT_KEY_LENGTH }),
        Type.Union([
          Type.String({ maxLength: MAX_CONTEXT_VALUE_LENGTH }),
          Type.Number(),
          Type.Boolean(),
          Type.Null(),
        ]),
        {
          maxProperties: MAX_CONTEXT_ENTRIES,
          description:
            "Caller metadata (e.g. content or user ids) recorded with the decision, never interpreted: " +
            `up to ${MAX_CONTEXT_ENTRIES} flat entries of strings, numbers, booleans or null.`,
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ClassifyRequest = Static<typeof ClassifyRequest>;

const ReasonSchema = Type.Object(
  {
    action: Type.Union(ACTIONS.map((a) => Type.Literal(a))),
    category: Type.Optional(Type.String({ description: "Threshold reasons: the Policy category." })),
    score: Type.Optional(Type.Number({ description: "Threshold reasons: the category's score." })),
    threshold: Type.Optional(Type.Number({ description: "Threshold reasons: the threshold it met." })),
    term: Type.Optional(Type.String({ description: "Term reasons: the Policy term that matched." })),
    list: Type.Optional(Type.String({ description: "Term reasons: the term list (block, review, flag)." })),
  },
  { description: "Why the action was taken: a category threshold that was met, or a term-list match." },
);

const WindowsSchema = Type.Object(
  {
    count: Type.Integer({ description: "Windows the text was scored in." }),
    categories: Type.Record(
      Type.String(),
      Type.Object({
        index: Type.Integer({ description: "0-based index of the window that gave the label its score." }),
        start: Type.Integer({ description: "Code point offset in the text where that window starts." }),
        end: Type.Integer({ description: "Code point offset where it ends (exclusive); word precision." }),
      }),
      { description: "Per model label, the window its score came from (its highest-scoring window)." },
    ),
  },
  {
    description:
      "Only for a text longer than the model's limit, scored in overlapping windows: where the passage " +
      "behind each label's score lies, e.g. windows.categories[reason.category] for a threshold reason.",
  },
);

export const ClassifyResponse = Type.Object({
  model: Type.Object({ name: Type.String(), version: Type.String() }),
  policy: Type.Object({ name: Type.String(), generation: Type.Integer() }),
  results: Type.Array(
    Type.Object({
      text_index: Type.Integer({ description: "Position of the text in the request (0 for `text`)." }),
      language: Type.String({ description: "ISO 639-1 code used for the Policy, 'und' if undetermined." }),
      language_source: Type.Union([Type.Literal("request"), Type.Literal("detected")]),
      scores: Type.Record(Type.String(), Type.Number(), { description: "Probability per model label." }),
      decision: Type.Object({
        action: Type.Union(ACTIONS.map((a) => Type.Literal(a))),
        reasons: Type.Array(ReasonSchema, {
          description: "Strictest first; empty when the default action applied.",
        }),
        matched_terms: Type.Array(Type.String()),
      }),
      windows: Type.Optional(WindowsSchema),
      cached: Type.Boolean({ description: "Served from the result cache." }),
      decision_id: Type.String({
        description: "Id of this decision in the decision log (GET /v1/decisions/{id}).",
      }),
    }),
  ),
});
export type ClassifyResponse = Static<typeof ClassifyResponse>;

const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) }),
});

function reasonBody(reason: Reason): Static<typeof ReasonSchema> {
  return isCategoryReason(reason)
    ? { category: reason.category, score: reason.score, threshold: reason.threshold, action: reason.action }
    : { term: reason.term, list: reason.list, action: reason.action };
}

function windowsBody(result: TextResult): Static<typeof WindowsSchema> | undefined {
  if (!result.windows) return undefined;
  let count = 0;
  const categories: Static<typeof WindowsSchema>["categories"] = {};
  for (const [label, window] of Object.entries(result.windows)) {
    count = window.count;
    categories[label] = { index: window.index, start: window.start, end: window.end };
  }
  return { count, categories };
}

export function classifyResponse(outcome: ModerationOutcome): ClassifyResponse {
  return {
    model: { name: outcome.model.name, version: outcome.model.version },
    policy: { name: outcome.policy.name, generation: outcome.policy.generation },
    results: outcome.results.map((r) => {
      const windows = windowsBody(r);
      return {
        text_index: r.index,
        language: r.language,
        language_source: r.languageSource,
        scores: r.scores,
        decision: {
          action: r.decision.action,
          reasons: r.decision.reasons.map(reasonBody),
          matched_terms: r.decision.matchedTerms,
        },
        ...(windows && { windows }),
        cached: r.cached,
        decision_id: r.decisionId,
      };
    }),
  };
}

export async function classifyRoutes(
  app: FastifyInstance,
  { state }: { state: RuntimeState },
): Promise<void> {
  app.post<{ Body: ClassifyRequest }>(
    "/v1/classify",
    {
      config: { apiFormat: "vigil" },
      schema: {
        tags: ["native"],
        summary: "Classify one or more texts and apply the Policy",
        body: ClassifyRequest,
        response: { 200: ClassifyResponse, "4xx": ErrorBody, "5xx": ErrorBody },
      },
    },
    async (request) => {
      const { text, texts, language, context } = request.body;
      if ((text === undefined) === (texts === undefined)) {
        throw new InvalidRequestError("text: give exactly one of 'text' or 'texts'", "text");
      }
      const outcome = await state.requireModerator().moderate({
        texts: texts ?? [text!],
        language,
        api: "classify",
        requestId: request.id,
        clientId: request.principal?.id,
        context,
      });
      return classifyResponse(outcome);
    },
  );
}
