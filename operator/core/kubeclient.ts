// The operator's one way to talk to the apiserver: raw REST over node:http(s), with the
// credentials, CA and proxy from a KubeConfig. One helper (instead of client-node's typed
// clients) means one place to count requests by verb and code, set patch content types,
// and cut off writes when the reconcile that issued them has been cancelled.
import http from "node:http";
import https from "node:https";
import type { IncomingMessage } from "node:http";
import type { KubeConfig } from "@kubernetes/client-node";
import type { ObjectMeta, OwnerReference } from "../../crds/schema.js";
import { ApiError, type KubeStatus } from "./errors.js";
import { resourcePath, type ResourceKind } from "./kinds.js";
import type { OperatorMetrics } from "./metrics.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export const ContentType = {
  json: "application/json",
  mergePatch: "application/merge-patch+json",
  jsonPatch: "application/json-patch+json",
  strategicMergePatch: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
} as const;

export type QueryValue = string | number | boolean | undefined;

export interface KubeRequest {
  method: HttpMethod;
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  contentType?: string;
  /** Metric label; derived from the method when absent. */
  verb?: string;
  signal?: AbortSignal;
  /** Client-side limit for the whole request. Default 30s; 0 = none (watches). */
  timeoutMs?: number;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta & { [field: string]: unknown };
  [field: string]: unknown;
}

export type { OwnerReference };

export interface KubeList<T> {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items: T[];
}

export class RequestCancelledError extends Error {
  override readonly name = "RequestCancelledError";
}

const DEFAULT_TIMEOUT_MS = 30_000;

function defaultVerb(method: HttpMethod, contentType?: string): string {
  switch (method) {
    case "GET":
      return "get";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return contentType === ContentType.apply ? "apply" : "patch";
    case "DELETE":
      return "delete";
  }
}

export interface KubeClientOptions {
  metrics?: OperatorMetrics;
  userAgent?: string;
}

export class KubeClient {
  readonly #kubeConfig: KubeConfig;
  readonly #options: KubeClientOptions;
  readonly #signal?: AbortSignal;

  constructor(kubeConfig: KubeConfig, options: KubeClientOptions = {}, signal?: AbortSignal) {
    this.#kubeConfig = kubeConfig;
    this.#options = options;
    this.#signal = signal;
  }

  get kubeConfig(): KubeConfig {
    return this.#kubeConfig;
  }

  /**
   * A view of this client whose requests fail with RequestCancelledError once `signal` has
   * aborted: a reconcile cancelled by lost leadership cannot write afterwards.
   */
  withSignal(signal: AbortSignal): KubeClient {
    const combined = this.#signal ? AbortSignal.any([this.#signal, signal]) : signal;
    return new KubeClient(this.#kubeConfig, this.#options, combined);
  }

  async request<T>(req: KubeRequest): Promise<T> {
    const res = await this.#send(req);
    const text = await readBody(res);
    if (res.statusCode === 204 || text.length === 0) return undefined as T;
    return JSON.parse(text) as T;
  }

  /** Opens a streaming GET (a watch); the caller consumes and destroys the response. */
  async stream(req: Omit<KubeRequest, "method" | "body" | "contentType">): Promise<IncomingMessage> {
    return this.#send({ ...req, method: "GET", timeoutMs: req.timeoutMs ?? 0 });
  }

  // --- typed conveniences over `request` ---

  get<T extends KubeObject>(kind: ResourceKind, name: string, namespace?: string): Promise<T> {
    return this.request<T>({ method: "GET", path: resourcePath(kind, { namespace, name }) });
  }

  create<T extends KubeObject>(kind: ResourceKind, obj: T, fieldManager?: string): Promise<T> {
    return this.request<T>({
      method: "POST",
      path: resourcePath(kind, { namespace: obj.metadata?.namespace }),
      query: { fieldManager },
      body: obj,
    });
  }

  replace<T extends KubeObject>(kind: ResourceKind, obj: T, fieldManager?: string): Promise<T> {
    return this.request<T>({
      method: "PUT",
      path: resourcePath(kind, { namespace: obj.metadata?.namespace, name: obj.metadata?.name }),
      query: { fieldManager },
      body: obj,
    });
  }

  patch<T extends KubeObject>(
    kind: ResourceKind,
    ref: { name: string; namespace?: string; subresource?: string },
    body: unknown,
    contentType: string = ContentType.mergePatch,
    query: Record<string, QueryValue> = {},
  ): Promise<T> {
    return this.request<T>({
      method: "PATCH",
      path: resourcePath(kind, ref),
      query,
      body,
      contentType,
    });
  }

  /** Server-side apply of a full desired object. */
  apply<T extends KubeObject>(
    kind: ResourceKind,
    obj: T,
    options: { fieldManager: string; force?: boolean; subresource?: string },
  ): Promise<T> {
    const name = obj.metadata?.name;
    if (!name) throw new Error(`apply ${kind.kind}: metadata.name is required`);
    return this.patch<T>(
      kind,
      { name, namespace: obj.metadata?.namespace, subresource: options.subresource },
      obj,
      ContentType.apply,
      { fieldManager: options.fieldManager, force: options.force ? true : undefined },
    );
  }

  delete(
    kind: ResourceKind,
    name: string,
    namespace?: string,
    options: { propagationPolicy?: "Background" | "Foreground" | "Orphan" } = {},
  ): Promise<unknown> {
    return this.request({
      method: "DELETE",
      path: resourcePath(kind, { namespace, name }),
      body: options.propagationPolicy
        ? { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy: options.propagationPolicy }
        : undefined,
    });
  }

  /** Lists every page (following `continue`) and returns them as one list. */
  async listAll<T extends KubeObject>(
    kind: ResourceKind,
    options: { namespace?: string; labelSelector?: string; fieldSelector?: string; limit?: number } = {},
  ): Promise<KubeList<T>> {
    const items: T[] = [];
    let continueToken: string | undefined;
    let last: KubeList<T>;
    do {
      last = await this.request<KubeList<T>>({
        method: "GET",
        verb: "list",
        path: resourcePath(kind, { namespace: options.namespace }),
        query: {
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          limit: options.limit ?? 500,
          continue: continueToken,
        },
      });
      items.push(...(last.items ?? []));
      continueToken = last.metadata?.continue || undefined;
    } while (continueToken);
    return { ...last, items, metadata: { resourceVersion: last.metadata?.resourceVersion } };
  }

  async #send(req: KubeRequest): Promise<IncomingMessage> {
    const verb = req.verb ?? defaultVerb(req.method, req.contentType);
    const signal = combineSignals(this.#signal, req.signal);
    if (signal?.aborted) throw new RequestCancelledError(`${verb} ${req.path}: cancelled`);
    const cluster = this.#kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig has no current cluster");

    const options: https.RequestOptions = {};
    await this.#kubeConfig.applyToHTTPSOptions(options);
    const url = new URL(cluster.server.replace(/\/+$/, "") + req.path);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const headers: Record<string, string | number> = {
      ...(options.headers as Record<string, string>),
      Accept: ContentType.json,
      "User-Agent": this.#options.userAgent ?? "vigil-operator",
    };
    if (body) {
      headers["Content-Type"] = req.contentType ?? ContentType.json;
      headers["Content-Length"] = body.length;
    }
    const transport = url.protocol === "http:" ? http : https;
    const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;

    let res: IncomingMessage;
    try {
      res = await new Promise<IncomingMessage>((resolve, reject) => {
        const clientRequest = transport.request(
          url,
          { method: req.method, headers, agent: options.agent, auth: options.auth, signal },
          resolve,
        );
        if (timeoutMs > 0) {
          clientRequest.setTimeout(timeoutMs, () =>
            clientRequest.destroy(new Error(`timed out after ${timeoutMs}ms`)),
          );
        }
        clientRequest.on("error", reject);
        clientRequest.end(body);
      });
    } catch (err) {
      this.#count(verb, "error");
      if (signal?.aborted) throw new RequestCancelledError(`${verb} ${req.path}: cancelled`);
      throw new ApiError(0, verb, req.path, undefined, { cause: err });
    }
    const code = res.statusCode ?? 0;
    this.#count(verb, String(code));
    if (code >= 200 && code < 300) return res;

    const text = await readBody(res).catch(() => "");
    let status: KubeStatus | undefined;
    try {
      status = JSON.parse(text) as KubeStatus;
    } catch {
      status = { message: text.slice(0, 500) };
    }
    const retryAfter = Number(res.headers["retry-after"]);
    if (Number.isFinite(retryAfter) && status.details?.retryAfterSeconds === undefined) {
      status = { ...status, details: { ...status.details, retryAfterSeconds: retryAfter } };
    }
    throw new ApiError(code, verb, req.path, status);
  }

  #count(verb: string, code: string): void {
    this.#options.metrics?.apiRequests.inc({ verb, code });
  }
}

function combineSignals(a?: AbortSignal, b?: AbortSignal): AbortSignal | undefined {
  if (a && b) return AbortSignal.any([a, b]);
  return a ?? b;
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (chunk: Buffer) => chunks.push(chunk));
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", reject);
  });
}
