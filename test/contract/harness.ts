// Shared setup for the contract suite: one cluster per test file (the emulator, or the real
// cluster named by VIGIL_TEST_KUBECONFIG), typed clients, a raw HTTP helper for requests the
// typed clients cannot express, Status assertions and polling.
import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  type KubeConfig,
} from "@kubernetes/client-node";
import http from "node:http";
import https from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "vitest";
import { startTestCluster, type TestCluster, type TestClusterOptions } from "../apiserver/index.js";

export interface Clients {
  cluster: TestCluster;
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  custom: CustomObjectsApi;
  objects: KubernetesObjectApi;
}

export async function connect(opts: TestClusterOptions = {}): Promise<Clients> {
  const cluster = await startTestCluster(opts);
  const kc = cluster.kubeConfig;
  return {
    cluster,
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    batch: kc.makeApiClient(BatchV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(kc),
  };
}

/** True when the suite runs against a real cluster (emulator-only tests skip themselves). */
export const onRealCluster = !!process.env.VIGIL_TEST_KUBECONFIG;

export interface StatusBody {
  kind: string;
  apiVersion: string;
  status: string;
  message: string;
  reason: string;
  code: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
    retryAfterSeconds?: number;
  };
}

/** Awaits a call that must fail with `code` (and `reason`), returning the `kind: Status` body. */
export async function expectStatus(
  call: Promise<unknown>,
  code: number,
  reason?: string,
): Promise<StatusBody> {
  let error: unknown;
  try {
    await call;
  } catch (err) {
    error = err;
  }
  expect(error, `expected HTTP ${code}, but the call succeeded`).toBeInstanceOf(ApiException);
  const apiError = error as ApiException<unknown>;
  expect(apiError.code).toBe(code);
  const body = (typeof apiError.body === "string" ? JSON.parse(apiError.body) : apiError.body) as StatusBody;
  expect(body.kind).toBe("Status");
  expect(body.apiVersion).toBe("v1");
  expect(body.status).toBe("Failure");
  expect(body.code).toBe(code);
  if (reason) expect(body.reason).toBe(reason);
  return body;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: <T = Record<string, unknown>>() => T;
}

/** A request with full control over method, path, content type and body (TLS and auth from the KubeConfig). */
export async function raw(
  kc: KubeConfig,
  method: string,
  path: string,
  body?: unknown,
  contentType = "application/json",
): Promise<RawResponse> {
  const url = new URL(kc.getCurrentCluster()!.server + path);
  const opts: https.RequestOptions = { method, headers: { Accept: "application/json" } };
  await kc.applyToHTTPSOptions(opts);
  const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  if (payload !== undefined) opts.headers = { ...opts.headers, "Content-Type": contentType };
  const request = url.protocol === "https:" ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: <T>() => JSON.parse(text) as T,
        });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await sleep(20);
  }
}

/** Whether a read fails with 404 (the object is gone). */
export async function isGone(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return false;
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) return true;
    throw err;
  }
}
