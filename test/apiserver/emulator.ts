// The Kubernetes API emulator: a node:http server on 127.0.0.1 that @kubernetes/client-node
// talks to through an ordinary KubeConfig. This file is the HTTP edge: it records every
// request, applies injected faults, parses query parameters and bodies, routes to the
// resource pipeline, and writes `kind: Status` errors. See test/README.md.
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { KubeConfig } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { parseManifest as parseYaml } from "../../crds/kubectl-yaml.js";
import { CrdLifecycle } from "./controllers/crd-lifecycle.js";
import { GarbageCollector } from "./controllers/garbage-collector.js";
import { NamespaceLifecycle } from "./controllers/namespace-lifecycle.js";
import { Deleter, type DeleteOptions, type PropagationPolicy } from "./deletion.js";
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from "./discovery.js";
import {
  ApiError,
  badRequest,
  methodNotAllowed,
  noSuchGroup,
  noSuchResource,
  NoRouteError,
  toApiError,
  unsupportedMediaType,
} from "./errors.js";
import { FaultInjector } from "./faults.js";
import { ResourceRegistry } from "./registry.js";
import { parseRequest, type ResourceRequest } from "./request-info.js";
import { ResourceService, type WriteOptions } from "./resource-service.js";
import { apiVersionOf, type ResourceType } from "./resource-type.js";
import { getScale, patchScale, updateScale } from "./scale.js";
import { parseFieldSelector, parseLabelSelector } from "./selectors.js";
import { ControllerSimulator } from "./simulate.js";
import { ObjectStore } from "./store.js";
import { present, ServerFields } from "./strategy.js";
import type { KubeObject, RecordedRequest } from "./types.js";
import { WatchHub } from "./watch-hub.js";

export interface ApiServerEmulatorOptions {
  /** Run the owner-reference garbage collector (a real cluster always has it). Default false. */
  garbageCollection?: boolean;
  /** How many changes the watch history keeps; older resourceVersions answer 410. Default 10000. */
  historyLimit?: number;
  /** Interval of watch bookmarks (the apiserver's is a minute). Default 60000. */
  bookmarkIntervalMs?: number;
  /** Create `default` ServiceAccount and `kube-root-ca.crt` ConfigMap in new namespaces, like a cluster. Default true. */
  namespaceDefaults?: boolean;
}

const WRITE_VERBS = new Set(["create", "update", "patch", "delete", "deletecollection"]);
const MAX_WATCH_TIMEOUT_S = 1800;
const BODY_TYPES = ["application/json", "application/yaml"];

export class ApiServerEmulator {
  readonly url: string;
  readonly faults: FaultInjector;
  /** Every request, in the order answered (watches: when the stream opened). */
  readonly requests: RecordedRequest[] = [];
  readonly simulate: ControllerSimulator;

  private readonly registry = new ResourceRegistry();
  private readonly store: ObjectStore;
  private readonly service: ResourceService;
  private readonly deleter: Deleter;
  private readonly watches: WatchHub;
  private readonly controllers: { stop(): void }[] = [];
  private closing = false;

  private constructor(
    private readonly server: Server,
    opts: ApiServerEmulatorOptions,
  ) {
    const port = (server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${port}`;
    this.store = new ObjectStore(opts.historyLimit ?? 10_000);
    this.service = new ResourceService(this.registry, this.store, new ServerFields());
    this.deleter = new Deleter(this.service, this.store, opts.garbageCollection ?? false);
    this.watches = new WatchHub(this.store, opts.bookmarkIntervalMs ?? 60_000);
    this.faults = new FaultInjector(this.watches);
    this.simulate = new ControllerSimulator(this.registry, this.service);
    const onError = (err: unknown): void => console.error("api emulator controller failed:", err);
    this.controllers.push(
      new CrdLifecycle(
        this.registry,
        this.store,
        this.service,
        this.deleter,
        (crd) => this.watches.closeWhere((t) => t.crdName === crd),
        onError,
      ),
      new NamespaceLifecycle(
        this.registry,
        this.store,
        this.service,
        this.deleter,
        opts.namespaceDefaults ?? true,
        onError,
      ),
    );
    if (opts.garbageCollection)
      this.controllers.push(
        new GarbageCollector(this.registry, this.store, this.service, this.deleter, onError),
      );
    server.on("request", (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res));
    const namespaces = this.registry.byResource("", "v1", "namespaces")!;
    for (const name of ["default", "kube-system", "kube-public", "kube-node-lease"])
      this.service.create(namespaces, undefined, { metadata: { name } }, { manager: "kube-apiserver" });
    // A real cluster's bootstrap history is long compacted: watching from "1" is too old.
    this.store.compact();
  }

  static async start(opts: ApiServerEmulatorOptions = {}): Promise<ApiServerEmulator> {
    const server = createServer({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return new ApiServerEmulator(server, opts);
  }

  /** A KubeConfig whose current context points at this emulator (namespace `default`). */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "emulator", server: this.url, skipTLSVerify: true }],
      users: [{ name: "emulator" }],
      contexts: [{ name: "emulator", cluster: "emulator", user: "emulator", namespace: "default" }],
      currentContext: "emulator",
    });
    return kc;
  }

  /** Creates (or replaces) a CustomResourceDefinition; its resources are served when this returns. */
  installCrd(crd: object): void {
    const type = this.registry.byResource("apiextensions.k8s.io", "v1", "customresourcedefinitions")!;
    const name = (crd as KubeObject).metadata?.name ?? "";
    const opts = { manager: "vigil-test" };
    const existing = this.store.get(type.storageKey, undefined, name);
    if (!existing) this.service.create(type, undefined, crd, opts);
    else {
      const next = structuredClone(crd) as KubeObject;
      next.metadata = { ...next.metadata, resourceVersion: existing.metadata?.resourceVersion ?? "" };
      this.service.update(type, undefined, name, next, opts);
    }
  }

  /** Installs every CustomResourceDefinition in the YAML/JSON files of `dir`. */
  installCrdsFromDir(dir: string): void {
    for (const file of readdirSync(dir)
      .filter((f) => /\.(ya?ml|json)$/.test(f))
      .sort()) {
      for (const doc of parseAllDocuments(readFileSync(join(dir, file), "utf8"))) {
        const obj = doc.toJS() as KubeObject | null;
        if (obj?.kind === "CustomResourceDefinition") this.installCrd(obj);
      }
    }
  }

  resetRequests(): void {
    this.requests.length = 0;
  }

  /** Recorded create/update/patch/delete/deletecollection requests. */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => WRITE_VERBS.has(r.verb));
  }

  /** The current global resourceVersion. */
  get resourceVersion(): number {
    return this.store.resourceVersion;
  }

  /** Forgets the change history (like an etcd compaction): resourceVersions older than now answer 410. */
  compactHistory(): void {
    this.store.compact();
  }

  /** Open watch streams. */
  get openWatches(): number {
    return this.watches.open;
  }

  /**
   * Stops serving: watch streams end cleanly, requests arriving meanwhile get 503, idle
   * connections close at once and busy ones after a short grace.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const c of this.controllers) c.stop();
    this.watches.closeAll();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const grace = setTimeout(() => this.server.closeAllConnections(), 500);
    grace.unref();
    await closed;
    clearTimeout(grace);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.closing) {
      const status = new ApiError(503, "ServiceUnavailable", "the emulator is shutting down").toStatus();
      this.send(res, 503, status, { Connection: "close" });
      return;
    }
    const url = new URL(req.url ?? "/", this.url);
    const method = req.method ?? "GET";
    const info = parseRequest(method, url);
    const contentType = req.headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
    const record: RecordedRequest = {
      verb: info.kind === "resource" ? info.verb : "discovery",
      method,
      path: url.pathname,
      status: 0,
    };
    if (info.kind === "resource") {
      record.resource = info.resource;
      record.group = info.group;
      if (info.namespace !== undefined) record.namespace = info.namespace;
      if (info.name !== undefined) record.name = info.name;
      if (info.subresource !== undefined) record.subresource = info.subresource;
    }
    if (contentType) record.contentType = contentType;
    const fieldManager = url.searchParams.get("fieldManager");
    if (fieldManager) record.fieldManager = fieldManager;

    try {
      const body = await readBody(req);
      const latency = this.faults.latencyFor(record);
      if (latency > 0) await sleep(latency);
      const failure = this.faults.failureFor(record);
      if (failure) throw failure;
      if (info.kind === "discovery")
        this.send(res, 200, this.discovery(info.target, info.group, info.version));
      else if (info.kind === "resource") this.serve(info, url, req, res, body, record);
      else throw noSuchGroup();
    } catch (err) {
      const e = toApiError(err);
      if (e.code >= 500 && !(err instanceof ApiError)) console.error("api emulator request failed:", err);
      if (res.headersSent) res.end();
      else if (e instanceof NoRouteError) this.sendNoRoute(res);
      else this.send(res, e.code, e.toStatus(), e.headers);
    }
    if (record.status === 0) {
      record.status = res.statusCode;
      this.requests.push(record);
    }
  }

  private discovery(target: string, group?: string, version?: string): object {
    switch (target) {
      case "api":
        return apiVersions(this.url.replace("http://", ""));
      case "apis":
        return apiGroupList(this.registry);
      case "group":
        return apiGroup(this.registry, group!);
      case "groupVersion":
        return apiResourceList(this.registry, group!, version!);
      case "version":
        return versionInfo();
      default:
        return { status: "ok" };
    }
  }

  private serve(
    info: ResourceRequest,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
    raw: string,
    record: RecordedRequest,
  ): void {
    const type = this.registry.byResource(info.group, info.version, info.resource);
    if (!type)
      throw this.registry.groupVersions().some((g) => g.group === info.group)
        ? noSuchResource()
        : noSuchGroup();
    if (!type.namespaced && info.namespace !== undefined) throw noSuchResource();
    if (
      type.namespaced &&
      info.namespace === undefined &&
      (info.name !== undefined || info.verb === "create")
    )
      throw methodNotAllowed();
    const sub = info.subresource;
    if (
      sub !== undefined &&
      !(sub === "status" && type.hasStatus) &&
      !(sub === "scale" && type.scale) &&
      !(sub === "finalize" && type.kind === "Namespace" && type.group === "")
    )
      throw noSuchResource();
    const q = url.searchParams;
    const opts = this.writeOptions(q, req, sub);
    const ns = info.namespace;
    const name = info.name ?? "";
    const contentType = (req.headers["content-type"] ?? "application/json")
      .split(";")[0]!
      .trim()
      .toLowerCase();

    switch (info.verb) {
      case "get":
        if (sub === "scale") return this.send(res, 200, getScale(this.service, type, ns, name));
        return this.send(res, 200, this.service.get(type, ns, name));
      case "list":
        return this.send(res, 200, this.listBody(type, ns, q));
      case "watch":
        return this.watch(type, ns, info.name, q, res, record);
      case "create": {
        const result = this.service.create(type, ns, parseBody(raw, contentType), opts);
        return this.send(res, result.code, result.object, warningHeaders(result.warnings));
      }
      case "update": {
        const result =
          sub === "scale"
            ? updateScale(this.service, type, ns, name, parseBody(raw, contentType), opts)
            : this.service.update(type, ns, name, parseBody(raw, contentType), opts);
        return this.send(res, result.code, result.object, warningHeaders(result.warnings));
      }
      case "patch": {
        const force = q.get("force");
        const patchOpts = { ...opts, ...(force === null ? {} : { force: force === "true" }) };
        const result =
          sub === "scale"
            ? patchScale(this.service, type, ns, name, contentType, raw, opts)
            : this.service.patch(type, ns, name, contentType, raw, patchOpts);
        return this.send(res, result.code, result.object, warningHeaders(result.warnings));
      }
      case "delete": {
        const result = this.deleter.delete(type, ns, name, deleteOptions(q, raw));
        return this.send(res, result.code, result.body);
      }
      case "deletecollection": {
        const list = {
          labels: parseLabelSelector(q.get("labelSelector")),
          fields: parseFieldSelector(q.get("fieldSelector"), type),
        };
        return this.send(res, 200, this.deleter.deleteCollection(type, ns, list, deleteOptions(q, raw)));
      }
      default:
        throw methodNotAllowed();
    }
  }

  private writeOptions(
    q: URLSearchParams,
    req: IncomingMessage,
    subresource: string | undefined,
  ): WriteOptions {
    const manager = q.get("fieldManager");
    const validation = q.get("fieldValidation");
    if (validation !== null && !["Ignore", "Warn", "Strict"].includes(validation))
      throw badRequest(
        `fieldValidation: Unsupported value: "${validation}": supported values: "Ignore", "Strict", "Warn"`,
      );
    const dryRun = q.getAll("dryRun");
    if (dryRun.some((d) => d !== "All"))
      throw badRequest(`dryRun: Unsupported value: "${dryRun.join(",")}": supported values: "All"`);
    const opts: WriteOptions = {
      manager: manager || managerFromUserAgent(req.headers["user-agent"]),
      managerGiven: !!manager,
      dryRun: dryRun.length > 0,
      fieldValidation: (validation ?? "Warn") as WriteOptions["fieldValidation"],
    };
    if (subresource && subresource !== "scale") opts.subresource = subresource;
    return opts;
  }

  private listBody(type: ResourceType, ns: string | undefined, q: URLSearchParams): object {
    const limit = q.get("limit");
    const result = this.service.list(type, ns, {
      labels: parseLabelSelector(q.get("labelSelector")),
      fields: parseFieldSelector(q.get("fieldSelector"), type),
      ...(limit ? { limit: Number(limit) } : {}),
      ...(q.get("continue") ? { continueToken: q.get("continue")! } : {}),
    });
    // Lists of built-in kinds are Go structs whose items carry no apiVersion/kind; custom resources' do.
    const items = type.crdName
      ? result.items
      : result.items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
    return {
      apiVersion: apiVersionOf(type),
      kind: type.listKind,
      metadata: {
        resourceVersion: result.resourceVersion,
        ...(result.continueToken ? { continue: result.continueToken } : {}),
        ...(result.remainingItemCount !== undefined ? { remainingItemCount: result.remainingItemCount } : {}),
      },
      items,
    };
  }

  private watch(
    type: ResourceType,
    ns: string | undefined,
    name: string | undefined,
    q: URLSearchParams,
    res: ServerResponse,
    record: RecordedRequest,
  ): void {
    const fields = parseFieldSelector(q.get("fieldSelector"), type);
    if (name) fields.push({ field: "metadata.name", op: "=", value: name });
    const timeout = q.get("timeoutSeconds");
    const timeoutSeconds = timeout === null ? MAX_WATCH_TIMEOUT_S : Number(timeout);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0)
      throw badRequest(`invalid timeoutSeconds: ${timeout}`);
    const rv = q.get("resourceVersion") ?? undefined;
    if (rv !== undefined && rv !== "" && !/^\d+$/.test(rv))
      throw badRequest(`invalid resource version: ${rv}`);
    const bookmarks = q.get("allowWatchBookmarks") === "true";
    this.watches.start(
      {
        type,
        ...(ns !== undefined && type.namespaced ? { namespace: ns } : {}),
        labels: parseLabelSelector(q.get("labelSelector")),
        fields,
        bookmarks,
        timeoutMs: (timeoutSeconds || MAX_WATCH_TIMEOUT_S) * 1000,
        ...(rv !== undefined ? { resourceVersion: rv } : {}),
        present,
        request: record,
      },
      res,
      this.faults.stallsNewWatch(record),
    );
    record.status = 200;
    this.requests.push(record);
  }

  private sendNoRoute(res: ServerResponse): void {
    const text = "404 page not found\n";
    res.writeHead(404, {
      "Content-Type": "text/plain; charset=utf-8",
      "X-Content-Type-Options": "nosniff",
      "Content-Length": Buffer.byteLength(text),
    });
    res.end(text);
  }

  private send(
    res: ServerResponse,
    code: number,
    body: object,
    headers: Record<string, string | string[]> = {},
  ): void {
    const text = JSON.stringify(body);
    res.writeHead(code, {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseBody(raw: string, contentType: string): unknown {
  if (!BODY_TYPES.includes(contentType) && contentType !== "*/*")
    throw unsupportedMediaType(contentType, BODY_TYPES);
  try {
    return contentType === "application/yaml" ? parseYaml(raw) : JSON.parse(raw);
  } catch (err) {
    throw badRequest(`error decoding request body: ${(err as Error).message}`);
  }
}

function deleteOptions(q: URLSearchParams, raw: string): DeleteOptions {
  let body: Record<string, unknown> = {};
  if (raw.trim()) {
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch (err) {
      throw badRequest(`error decoding DeleteOptions: ${(err as Error).message}`);
    }
  }
  const policy = (q.get("propagationPolicy") ?? body.propagationPolicy) as string | undefined;
  if (policy !== undefined && !["Orphan", "Background", "Foreground"].includes(policy))
    throw badRequest(
      `propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
    );
  const orphan = q.get("orphanDependents") ?? body.orphanDependents;
  const opts: DeleteOptions = {};
  if (policy) opts.propagationPolicy = policy as PropagationPolicy;
  if (orphan !== undefined && orphan !== null) opts.orphanDependents = orphan === true || orphan === "true";
  if (body.preconditions && typeof body.preconditions === "object")
    opts.preconditions = body.preconditions as DeleteOptions["preconditions"] & object;
  if (q.getAll("dryRun").length > 0 || (Array.isArray(body.dryRun) && body.dryRun.length > 0))
    opts.dryRun = true;
  return opts;
}

/** The apiserver names an unnamed manager after the client's User-Agent, up to the first "/". */
function managerFromUserAgent(userAgent: string | undefined): string {
  return (userAgent ?? "unknown").split("/")[0] || "unknown";
}

function warningHeaders(warnings: string[]): Record<string, string[]> {
  return warnings.length > 0 ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) } : {};
}
