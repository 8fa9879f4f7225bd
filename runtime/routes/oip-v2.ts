// The Open Inference Protocol v2 (KServe "V2", Triton HTTP) over this pod's one model, so KServe
// and Triton clients can call Vigil. Text goes in as a BYTES tensor named "text" (shape [n]);
// two tensors come out: "scores" (FP32 [n, labels], label names in its parameters) and the
// Policy "action" per text (BYTES [n]). Spec:
// github.com/kserve/open-inference-protocol/blob/main/specification/protocol/inference_rest.md
import { Type, type Static } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { InvalidRequestError, NotFoundError, UnsupportedMediaTypeError } from "../errors.js";
import type { ModerationOutcome } from "../moderation/moderator.js";
import type { RuntimeState } from "../server/runtime-state.js";
import { LANGUAGE_PATTERN, MAX_TEXTS_PER_REQUEST, MAX_TEXT_LENGTH } from "./request-limits.js";

/** Platform names follow the spec's "<project>_<format>" list; ONNX Runtime models are "onnx_onnxv1". */
export const OIP_PLATFORM = "onnx_onnxv1";
const INPUT_NAME = "text";
const OUTPUT_NAMES = ["scores", "action"] as const;

const Parameters = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]));

export const InferRequest = Type.Object({
  id: Type.Optional(Type.String()),
  parameters: Type.Optional(Parameters),
  inputs: Type.Array(
    Type.Object({
      name: Type.String(),
      shape: Type.Array(Type.Integer({ minimum: 0 })),
      datatype: Type.String(),
      parameters: Type.Optional(Parameters),
      data: Type.Array(Type.Unknown()),
    }),
    { minItems: 1 },
  ),
  outputs: Type.Optional(
    Type.Array(Type.Object({ name: Type.String(), parameters: Type.Optional(Parameters) })),
  ),
});
export type InferRequest = Static<typeof InferRequest>;

const TensorData = Type.Array(Type.Union([Type.Number(), Type.String()]));
const ResponseOutput = Type.Object({
  name: Type.String(),
  shape: Type.Array(Type.Integer()),
  datatype: Type.String(),
  parameters: Type.Optional(Parameters),
  data: TensorData,
});

export const InferResponse = Type.Object({
  model_name: Type.String(),
  model_version: Type.String(),
  id: Type.String(),
  parameters: Type.Optional(Parameters),
  outputs: Type.Array(ResponseOutput),
});
export type InferResponse = Static<typeof InferResponse>;

const MetadataTensor = Type.Object({
  name: Type.String(),
  datatype: Type.String(),
  shape: Type.Array(Type.Integer()),
});
export const ModelMetadata = Type.Object({
  name: Type.String(),
  versions: Type.Array(Type.String()),
  platform: Type.String(),
  inputs: Type.Array(MetadataTensor),
  outputs: Type.Array(MetadataTensor),
});
export const ServerMetadata = Type.Object({
  name: Type.String(),
  version: Type.String(),
  extensions: Type.Array(Type.String()),
});
const OipError = Type.Object({ error: Type.String() });

const ModelParams = Type.Object({ model: Type.String(), version: Type.Optional(Type.String()) });
type ModelParams = Static<typeof ModelParams>;

/**
 * Row-major elements of a tensor's data, given flat or nested up to the shape's rank. Iterative
 * with an explicit stack: a body nested thousands of arrays deep must be a 400, not a stack
 * overflow.
 */
export function flattenTensorData(data: unknown[], rank: number, field: string): unknown[] {
  const out: unknown[] = [];
  const stack: { items: unknown[]; index: number }[] = [{ items: data, index: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.index >= top.items.length) {
      stack.pop();
      continue;
    }
    const item = top.items[top.index++];
    if (!Array.isArray(item)) {
      out.push(item);
    } else if (stack.length >= rank) {
      throw new InvalidRequestError(`${field}: nested deeper than the shape's ${rank} dimension(s)`, field);
    } else {
      stack.push({ items: item, index: 0 });
    }
  }
  return out;
}

/** The texts of a v2 request, or a 400 saying which part of the tensor is wrong. */
export function textsOfInfer(body: InferRequest): string[] {
  if (body.inputs.length !== 1 || body.inputs[0]!.name !== INPUT_NAME) {
    throw new InvalidRequestError(
      `inputs: expected exactly one input named '${INPUT_NAME}', got ${body.inputs.map((i) => `'${i.name}'`).join(", ")}`,
      "inputs",
    );
  }
  const input = body.inputs[0]!;
  if (input.datatype !== "BYTES") {
    throw new InvalidRequestError(
      `inputs[0].datatype: must be BYTES, got '${input.datatype}'`,
      "inputs[0].datatype",
    );
  }
  const elements = input.shape.reduce((a, b) => a * b, 1);
  if (
    input.shape.length === 0 ||
    input.shape.length > 2 ||
    (input.shape.length === 2 && input.shape[1] !== 1)
  ) {
    throw new InvalidRequestError(
      `inputs[0].shape: must be [n] or [n, 1], got [${input.shape.join(", ")}]`,
      "inputs[0].shape",
    );
  }
  const data = flattenTensorData(input.data, input.shape.length, "inputs[0].data");
  if (elements !== data.length) {
    throw new InvalidRequestError(
      `inputs[0].data: shape [${input.shape.join(", ")}] needs ${elements} elements, got ${data.length}`,
      "inputs[0].data",
    );
  }
  if (data.length === 0 || data.length > MAX_TEXTS_PER_REQUEST) {
    throw new InvalidRequestError(
      `inputs[0].data: must hold 1 to ${MAX_TEXTS_PER_REQUEST} texts`,
      "inputs[0].data",
    );
  }
  return data.map((value, i) => {
    if (typeof value !== "string") {
      throw new InvalidRequestError(
        `inputs[0].data[${i}]: BYTES elements must be strings`,
        `inputs[0].data[${i}]`,
      );
    }
    if (value.length > MAX_TEXT_LENGTH) {
      throw new InvalidRequestError(
        `inputs[0].data[${i}]: longer than ${MAX_TEXT_LENGTH} characters`,
        `inputs[0].data[${i}]`,
      );
    }
    return value;
  });
}

function requestedOutputs(body: InferRequest): Set<string> {
  const names = body.outputs?.map((o) => o.name) ?? [...OUTPUT_NAMES];
  for (const name of names) {
    if (!(OUTPUT_NAMES as readonly string[]).includes(name)) {
      throw new InvalidRequestError(
        `outputs: unknown output '${name}' (this model has: ${OUTPUT_NAMES.join(", ")})`,
        "outputs",
      );
    }
  }
  return new Set(names);
}

function languageParameter(body: InferRequest): string | undefined {
  const language = body.parameters?.language;
  if (language === undefined) return undefined;
  if (typeof language !== "string" || !new RegExp(LANGUAGE_PATTERN).test(language)) {
    throw new InvalidRequestError(
      "parameters.language: must be an ISO 639 code such as 'de'",
      "parameters.language",
    );
  }
  return language;
}

export function inferResponse(outcome: ModerationOutcome, id: string, outputs: Set<string>): InferResponse {
  const labels = outcome.model.labels;
  const n = outcome.results.length;
  const tensors: Static<typeof ResponseOutput>[] = [];
  if (outputs.has("scores")) {
    tensors.push({
      name: "scores",
      datatype: "FP32",
      shape: [n, labels.length],
      parameters: { labels: labels.join(",") },
      data: outcome.results.flatMap((r) => labels.map((l) => r.scores[l] ?? 0)),
    });
  }
  if (outputs.has("action")) {
    tensors.push({
      name: "action",
      datatype: "BYTES",
      shape: [n],
      data: outcome.results.map((r) => r.decision.action),
    });
  }
  return {
    model_name: outcome.model.name,
    model_version: outcome.model.version,
    id,
    parameters: { policy_name: outcome.policy.name, policy_generation: outcome.policy.generation },
    outputs: tensors,
  };
}

// Health answers by status code (200 true, 4xx false) as the spec asks, with the JSON body
// KServe's clients read ({"live": true}); Triton's read only the status.
const health = (ok: boolean, reply: FastifyReply, body: Record<string, unknown>): FastifyReply =>
  reply.code(ok ? 200 : 400).send(body);

// Triton's HTTP client sends JSON as application/octet-stream; its binary-tensor extension
// (a JSON header followed by raw tensor bytes) is announced by this header.
const JSON_HEADER_LENGTH = "inference-header-content-length";

/**
 * Infer bodies are JSON whatever the client calls them: Triton's client says
 * application/octet-stream and KServe clients before 0.20 send no Content-Type. A body with
 * binary tensor data after its JSON header is refused: BYTES text is small enough to send as JSON.
 */
function acceptJsonAsSentByOipClients(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  const parse = (
    request: FastifyRequest,
    body: string,
    done: (err: Error | null, body?: unknown) => void,
  ) => {
    const jsonLength = request.headers[JSON_HEADER_LENGTH];
    if (jsonLength !== undefined && Number(jsonLength) !== Buffer.byteLength(body)) {
      done(
        new InvalidRequestError(
          "binary tensor data is not supported: send the 'text' tensor's data as JSON",
          JSON_HEADER_LENGTH,
        ),
      );
      return;
    }
    parseJson(request, body, done);
  };
  app.addContentTypeParser("application/octet-stream", { parseAs: "string" }, parse);
  app.addContentTypeParser("*", { parseAs: "string" }, (request, body, done) => {
    if (request.headers["content-type"] !== undefined) {
      done(new UnsupportedMediaTypeError(request.headers["content-type"]));
      return;
    }
    parse(request, body as string, done);
  });
}

/** KServe's client reads an error's message only when Content-Type is exactly application/json. */
function plainJsonContentType(app: FastifyInstance): void {
  app.addHook("onSend", async (_request, reply, payload) => {
    const type = reply.getHeader("content-type");
    if (typeof type === "string" && type.startsWith("application/json")) {
      reply.header("content-type", "application/json");
    }
    return payload;
  });
}

/** Server health: probes, unauthenticated like /live and /ready. */
export async function oipV2HealthRoutes(
  app: FastifyInstance,
  { state }: { state: RuntimeState },
): Promise<void> {
  const common = { config: { apiFormat: "oip" as const } };
  plainJsonContentType(app);
  app.get(
    "/v2/health/live",
    { ...common, schema: { tags: ["oip-v2"], summary: "Server live", security: [] } },
    async (_req, reply) => health(true, reply, { live: true }),
  );
  app.get(
    "/v2/health/ready",
    { ...common, schema: { tags: ["oip-v2"], summary: "Server ready", security: [] } },
    async (_req, reply) => {
      const ready = state.readiness().ready;
      return health(ready, reply, { ready });
    },
  );
}

/** Server and model metadata, model readiness and inference: authenticated API routes. */
export async function oipV2Routes(app: FastifyInstance, { state }: { state: RuntimeState }): Promise<void> {
  const serverVersion = state.options.serverVersion;
  const common = { config: { apiFormat: "oip" as const } };
  acceptJsonAsSentByOipClients(app);
  plainJsonContentType(app);

  const checkModel = ({ model, version }: ModelParams): void => {
    const served = state.model;
    if (model !== served.name) {
      throw new NotFoundError(`model '${model}' is not served here; this server serves '${served.name}'`);
    }
    if (version !== undefined && version !== served.version) {
      throw new NotFoundError(
        `model '${model}' has no version '${version}'; the served version is '${served.version}'`,
      );
    }
  };

  app.get(
    "/v2",
    {
      ...common,
      schema: { tags: ["oip-v2"], summary: "Server metadata", response: { 200: ServerMetadata } },
    },
    async () => ({
      name: "vigil-runtime",
      version: serverVersion,
      extensions: [],
    }),
  );

  for (const prefix of ["/v2/models/:model", "/v2/models/:model/versions/:version"]) {
    app.get<{ Params: ModelParams }>(
      prefix,
      {
        ...common,
        schema: {
          tags: ["oip-v2"],
          summary: "Model metadata",
          params: ModelParams,
          response: { 200: ModelMetadata, "4xx": OipError },
        },
      },
      async (request) => {
        checkModel(request.params);
        const model = state.model;
        return {
          name: model.name,
          versions: [model.version],
          platform: OIP_PLATFORM,
          inputs: [{ name: INPUT_NAME, datatype: "BYTES", shape: [-1] }],
          outputs: [
            { name: "scores", datatype: "FP32", shape: [-1, model.labels.length] },
            { name: "action", datatype: "BYTES", shape: [-1] },
          ],
        };
      },
    );
    app.get<{ Params: ModelParams }>(
      `${prefix}/ready`,
      { ...common, schema: { tags: ["oip-v2"], summary: "Model ready", params: ModelParams } },
      async (request, reply) => {
        checkModel(request.params);
        const ready = state.readiness().ready;
        return health(ready, reply, { name: request.params.model, ready });
      },
    );
    app.post<{ Params: ModelParams; Body: InferRequest }>(
      `${prefix}/infer`,
      {
        ...common,
        schema: {
          tags: ["oip-v2"],
          summary: "Inference: BYTES 'text' in; 'scores' and 'action' out",
          params: ModelParams,
          body: InferRequest,
          response: { 200: InferResponse, "4xx": OipError, "5xx": OipError },
        },
      },
      async (request) => {
        checkModel(request.params);
        const texts = textsOfInfer(request.body);
        const outputs = requestedOutputs(request.body);
        const language = languageParameter(request.body);
        const outcome = await state.requireModerator().moderate({
          texts,
          language,
          api: "oip-v2",
          requestId: request.id,
          clientId: request.principal?.id,
        });
        return inferResponse(outcome, request.body.id ?? request.id, outputs);
      },
    );
  }
}
