// The review queue over the Postgres decision log: GET /v1/decisions lists decisions newest
// first (filters: action, category, time window, reviewed; keyset-paginated with an opaque
// cursor), GET /v1/decisions/{id} reads one, POST /v1/decisions/{id}/review records a human
// verdict. The reviewer recorded is the authenticated caller, never a name from the body.
// Needs review rights; answers 404 when no Postgres is configured and 503 while it is down.
import { Type, type Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { ACTIONS } from "../../crds/index.js";
import {
  InvalidCursorError,
  type DecisionFilter,
  type DecisionQueries,
  type StoredDecision,
} from "../decisions/decision-queries.js";
import { storableText } from "../decisions/storable-text.js";
import { isConnectionError } from "../decisions/connection-errors.js";
import { DecisionLogUnavailableError, InvalidRequestError, NotFoundError } from "../errors.js";

const UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

const ActionSchema = Type.Union(ACTIONS.map((a) => Type.Literal(a)));

export const DecisionListQuery = Type.Object(
  {
    action: Type.Optional(ActionSchema),
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    since: Type.Optional(
      Type.String({ format: "date-time", description: "Decided at or after (RFC 3339)." }),
    ),
    until: Type.Optional(Type.String({ format: "date-time", description: "Decided before (RFC 3339)." })),
    reviewed: Type.Optional(
      Type.Union([Type.Literal("true"), Type.Literal("false")], {
        description: "true: only reviewed decisions; false: only those awaiting review.",
      }),
    ),
    limit: Type.Optional(
      Type.String({
        pattern: "^[0-9]{1,4}$",
        description: `Page size, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).`,
      }),
    ),
    cursor: Type.Optional(Type.String({ maxLength: 128, description: "The previous page's `next`." })),
  },
  { additionalProperties: false },
);
type DecisionListQuery = Static<typeof DecisionListQuery>;

const IdParams = Type.Object({ id: Type.String({ pattern: UUID }) });
type IdParams = Static<typeof IdParams>;

export const ReviewRequest = Type.Object(
  {
    action: ActionSchema,
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
type ReviewRequest = Static<typeof ReviewRequest>;

const Decision = Type.Object({
  id: Type.String(),
  decided_at: Type.String(),
  request_id: Type.String(),
  api: Type.String(),
  text_sha256: Type.String(),
  text_length: Type.Integer(),
  text: Type.Optional(
    Type.String({ description: "Only when the pod stores raw text (VIGIL_LOG_RAW_TEXT)." }),
  ),
  language: Type.String(),
  action: ActionSchema,
  categories: Type.Array(Type.String()),
  reasons: Type.Array(Type.Unknown()),
  scores: Type.Record(Type.String(), Type.Number()),
  model: Type.Object({ name: Type.String(), version: Type.String() }),
  policy: Type.Object({ name: Type.String(), generation: Type.Integer() }),
  client_id: Type.Union([Type.String(), Type.Null()]),
  latency_ms: Type.Union([Type.Number(), Type.Null()]),
  cached: Type.Boolean(),
  context: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  review: Type.Union([
    Type.Object({
      action: ActionSchema,
      reviewer: Type.Union([Type.String(), Type.Null()]),
      note: Type.Union([Type.String(), Type.Null()]),
      reviewed_at: Type.String(),
    }),
    Type.Null(),
  ]),
});
type Decision = Static<typeof Decision>;

const DecisionPage = Type.Object({
  decisions: Type.Array(Decision),
  next: Type.Union([Type.String(), Type.Null()], {
    description: "Cursor of the next page; null on the last.",
  }),
});

const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) }),
});

export function decisionBody(d: StoredDecision): Decision {
  return {
    id: d.id,
    decided_at: d.decidedAt,
    request_id: d.requestId,
    api: d.api,
    text_sha256: d.textSha256,
    text_length: d.textLength,
    ...(d.text !== undefined ? { text: d.text } : {}),
    language: d.language,
    action: d.action,
    categories: d.categories,
    reasons: d.reasons,
    scores: d.scores,
    model: d.model,
    policy: d.policy,
    client_id: d.clientId,
    latency_ms: d.latencyMs,
    cached: d.cached,
    context: d.context,
    review: d.review
      ? {
          action: d.review.action,
          reviewer: d.review.reviewer,
          note: d.review.note,
          reviewed_at: d.review.reviewedAt,
        }
      : null,
  };
}

/** An RFC 3339 time as Postgres accepts it (years 1 to 9999), or a 400 naming the parameter. */
function timeParameter(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const time = new Date(value);
  const year = time.getUTCFullYear();
  if (Number.isNaN(time.getTime()) || year < 1 || year > 9999) {
    throw new InvalidRequestError(`${name}: must be an RFC 3339 time between years 1 and 9999`, name);
  }
  return time.toISOString();
}

function filterOf(query: DecisionListQuery): DecisionFilter {
  const limit = query.limit === undefined ? DEFAULT_PAGE_SIZE : Number(query.limit);
  if (limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InvalidRequestError(`limit: must be from 1 to ${MAX_PAGE_SIZE}`, "limit");
  }
  const since = timeParameter(query.since, "since");
  const until = timeParameter(query.until, "until");
  return {
    limit,
    ...(query.action ? { action: query.action } : {}),
    ...(query.category ? { category: query.category } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(query.reviewed ? { reviewed: query.reviewed === "true" } : {}),
    ...(query.cursor ? { cursor: query.cursor } : {}),
  };
}

/** Runs a query, turning a forged cursor into a 400 and an unreachable Postgres into a 503. */
async function guarded<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    if (error instanceof InvalidCursorError)
      throw new InvalidRequestError(`cursor: ${error.message}`, "cursor");
    // Class 22 is a value Postgres refused; validation should have caught it, but it is still
    // the request's fault, not an outage.
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("22")) {
      throw new InvalidRequestError(`a parameter is out of range (${(error as Error).message})`);
    }
    // Only an outage is a 503; anything else is a bug and goes to the error handler as a 500,
    // logged with its stack.
    if (isConnectionError(error)) throw new DecisionLogUnavailableError(error);
    throw error;
  }
}

export async function decisionRoutes(
  app: FastifyInstance,
  { queries }: { queries: DecisionQueries | undefined },
): Promise<void> {
  const common = { config: { apiFormat: "vigil" as const, access: "review" as const } };
  const store = (): DecisionQueries => {
    if (!queries) {
      throw new NotFoundError(
        "the review queue needs the Postgres decision log; DATABASE_URL is not set on this server",
      );
    }
    return queries;
  };

  app.get<{ Querystring: DecisionListQuery }>(
    "/v1/decisions",
    {
      ...common,
      schema: {
        tags: ["review"],
        summary: "List logged decisions, newest first (review queue)",
        querystring: DecisionListQuery,
        response: { 200: DecisionPage, "4xx": ErrorBody, "5xx": ErrorBody },
      },
    },
    async (request) => {
      const filter = filterOf(request.query);
      const queries = store();
      const page = await guarded(() => queries.list(filter));
      return { decisions: page.decisions.map(decisionBody), next: page.next };
    },
  );

  app.get<{ Params: IdParams }>(
    "/v1/decisions/:id",
    {
      ...common,
      schema: {
        tags: ["review"],
        summary: "One logged decision",
        params: IdParams,
        response: { 200: Decision, "4xx": ErrorBody, "5xx": ErrorBody },
      },
    },
    async (request) => {
      const queries = store();
      const found = await guarded(() => queries.get(request.params.id));
      if (!found) throw new NotFoundError(`no decision with id ${request.params.id}`);
      return decisionBody(found);
    },
  );

  app.post<{ Params: IdParams; Body: ReviewRequest }>(
    "/v1/decisions/:id/review",
    {
      ...common,
      schema: {
        tags: ["review"],
        summary: "Record a reviewer's verdict on a decision",
        params: IdParams,
        body: ReviewRequest,
        response: { 200: Decision, "4xx": ErrorBody, "5xx": ErrorBody },
      },
    },
    async (request) => {
      const { action, note } = request.body;
      const queries = store();
      const reviewed = await guarded(() =>
        queries.review(request.params.id, {
          action,
          ...(request.principal ? { reviewer: request.principal.id } : {}),
          ...(note !== undefined ? { note: storableText(note) } : {}),
        }),
      );
      if (!reviewed) throw new NotFoundError(`no decision with id ${request.params.id}`);
      return decisionBody(reviewed);
    },
  );
}
