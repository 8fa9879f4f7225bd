// POST /v1/moderations: OpenAI's moderation API, so existing OpenAI client code can point at
// Vigil unchanged. Same request and response shape as api.openai.com (omni-moderation): the 13
// category names, model scores mapped to them through the Policy's categoryMap, and
// `categories` / `flagged` set by the Policy decision rather than by fixed thresholds.
import { randomUUID } from "node:crypto";
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { OPENAI_CATEGORIES, type OpenAICategory } from "../../crds/index.js";
import { InvalidRequestError } from "../errors.js";
import type { ModerationOutcome } from "../moderation/moderator.js";
import type { RuntimeState } from "../server/runtime-state.js";
import { MAX_TEXTS_PER_REQUEST, MAX_TEXT_LENGTH } from "./request-limits.js";

const TextPart = Type.Object({
  type: Type.Literal("text"),
  text: Type.String({ maxLength: MAX_TEXT_LENGTH }),
});
const ImagePart = Type.Object({
  type: Type.Literal("image_url"),
  image_url: Type.Object({ url: Type.String() }),
});

export const ModerationRequest = Type.Object({
  input: Type.Union(
    [
      Type.String({ maxLength: MAX_TEXT_LENGTH }),
      Type.Array(Type.String({ maxLength: MAX_TEXT_LENGTH }), {
        minItems: 1,
        maxItems: MAX_TEXTS_PER_REQUEST,
      }),
      Type.Array(Type.Union([TextPart, ImagePart]), { minItems: 1, maxItems: MAX_TEXTS_PER_REQUEST }),
    ],
    {
      description:
        "A string, an array of strings, or an array of content parts ({type: 'text', text}); " +
        "image parts are rejected: the served model reads text only.",
    },
  ),
  model: Type.Optional(
    Type.String({
      description: "Accepted for compatibility (e.g. 'omni-moderation-latest'); the pod's model answers.",
    }),
  ),
});
export type ModerationRequest = Static<typeof ModerationRequest>;

function perCategory<T extends TSchema>(schema: T) {
  return Type.Object(
    Object.fromEntries(OPENAI_CATEGORIES.map((c) => [c, schema])) as Record<OpenAICategory, T>,
  );
}

export const ModerationResponse = Type.Object({
  id: Type.String(),
  model: Type.String(),
  results: Type.Array(
    Type.Object({
      flagged: Type.Boolean({ description: "The Policy decision is not 'allow'." }),
      categories: perCategory(Type.Boolean()),
      category_scores: perCategory(Type.Number()),
      category_applied_input_types: perCategory(Type.Array(Type.Literal("text"))),
    }),
  ),
});
export type ModerationResponse = Static<typeof ModerationResponse>;

const OpenAIError = Type.Object({
  error: Type.Object({
    message: Type.String(),
    type: Type.String(),
    param: Type.Union([Type.String(), Type.Null()]),
    code: Type.Union([Type.String(), Type.Null()]),
  }),
});

/** The texts of an OpenAI `input`, or a 400 naming the first image part. */
export function textsOf(input: ModerationRequest["input"]): string[] {
  if (typeof input === "string") return [input];
  return input.map((item, i) => {
    if (typeof item === "string") return item;
    if (item.type === "text") return item.text;
    throw new InvalidRequestError(
      `input[${i}]: image inputs are not supported; this model classifies text only`,
      `input[${i}]`,
    );
  });
}

export function moderationResponse(outcome: ModerationOutcome): ModerationResponse {
  const engine = outcome.policy.engine;
  const textOnly = Object.fromEntries(OPENAI_CATEGORIES.map((c) => [c, ["text" as const]])) as Record<
    OpenAICategory,
    "text"[]
  >;
  return {
    id: `modr-${randomUUID().replace(/-/g, "")}`,
    model: outcome.model.name,
    results: outcome.results.map((r) => ({
      flagged: r.decision.action !== "allow",
      categories: engine.openAIFlags(r.decision),
      category_scores: engine.openAIScores(r.scores),
      category_applied_input_types: textOnly,
    })),
  };
}

export async function moderationRoutes(
  app: FastifyInstance,
  { state }: { state: RuntimeState },
): Promise<void> {
  app.post<{ Body: ModerationRequest }>(
    "/v1/moderations",
    {
      config: { apiFormat: "openai" },
      schema: {
        tags: ["openai"],
        summary: "Classify text (OpenAI moderation API compatible)",
        body: ModerationRequest,
        response: { 200: ModerationResponse, "4xx": OpenAIError, "5xx": OpenAIError },
      },
    },
    async (request) => {
      const texts = textsOf(request.body.input);
      const outcome = await state
        .requireModerator()
        .moderate({ texts, api: "moderations", requestId: request.id, clientId: request.principal?.id });
      return moderationResponse(outcome);
    },
  );
}
