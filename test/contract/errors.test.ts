// Contract: failures are `kind: Status` objects with the apiserver's codes and reasons, for
// unknown paths, bad query parameters, bad bodies and wrong namespaces.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, expectStatus, raw, type Clients } from "./harness.js";

let c: Clients;
let ns: string;

beforeAll(async () => {
  c = await connect();
  ns = await c.cluster.newNamespace("err");
});
afterAll(async () => {
  await c?.cluster.close();
});

interface Status {
  kind: string;
  apiVersion: string;
  status: string;
  reason: string;
  code: number;
  message: string;
}

function expectStatusBody(res: { status: number; json: <T>() => T }, code: number, reason: string): Status {
  expect(res.status).toBe(code);
  const body = res.json<Status>();
  expect(body).toMatchObject({ kind: "Status", apiVersion: "v1", status: "Failure", code, reason });
  return body;
}

describe("Status errors", () => {
  it("404 for a resource the server does not serve (no route: Go's plain-text not-found page)", async () => {
    // No handler matches these paths, so kube-apiserver answers with its not-found handler's
    // plain text rather than a Status; clients must go by the code alone.
    for (const path of [`/apis/nonexistent.example/v1/things`, `/api/v1/namespaces/${ns}/nothings`]) {
      const res = await raw(c.kc, "GET", path);
      expect(res.status, path).toBe(404);
      expect(res.headers["content-type"], path).toMatch(/^text\/plain/);
    }
  });

  it("400 BadRequest for an unparseable label selector", async () => {
    const body = expectStatusBody(
      await raw(
        c.kc,
        "GET",
        `/api/v1/namespaces/${ns}/configmaps?labelSelector=${encodeURIComponent("a in (b")}`,
      ),
      400,
      "BadRequest",
    );
    expect(body.message).toMatch(/unable to parse requirement|invalid|found/);
  });

  it("400 BadRequest for a field selector the resource does not support", async () => {
    const body = expectStatusBody(
      await raw(
        c.kc,
        "GET",
        `/api/v1/namespaces/${ns}/configmaps?fieldSelector=${encodeURIComponent("spec.nope=x")}`,
      ),
      400,
      "BadRequest",
    );
    // The wording changed across releases ("field label not supported: …" before 1.30); the
    // contract is 400 BadRequest naming the field.
    expect(body.message).toContain("spec.nope");
  });

  it("400 BadRequest when the body's namespace differs from the URL's", async () => {
    await expectStatus(
      c.core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name: "x", namespace: "elsewhere" } },
      }),
      400,
      "BadRequest",
    );
  });

  it("400 BadRequest for a body that is not JSON", async () => {
    expectStatusBody(
      await raw(c.kc, "POST", `/api/v1/namespaces/${ns}/configmaps`, "{not json", "application/json"),
      400,
      "BadRequest",
    );
  });

  it("415 UnsupportedMediaType for a body content type the server cannot decode", async () => {
    expectStatusBody(
      await raw(c.kc, "POST", `/api/v1/namespaces/${ns}/configmaps`, "<xml/>", "application/xml"),
      415,
      "UnsupportedMediaType",
    );
  });

  it("accepts YAML bodies", async () => {
    const res = await raw(
      c.kc,
      "POST",
      `/api/v1/namespaces/${ns}/configmaps`,
      "metadata:\n  name: from-yaml\ndata:\n  a: '1'\n",
      "application/yaml",
    );
    expect(res.status).toBe(201);
    expect(res.json<{ data: Record<string, string> }>().data).toEqual({ a: "1" });
  });

  it("400 BadRequest when the body's apiVersion does not match the endpoint", async () => {
    const res = await raw(c.kc, "POST", `/api/v1/namespaces/${ns}/configmaps`, {
      apiVersion: "apps/v1",
      kind: "ConfigMap",
      metadata: { name: "wrong" },
    });
    expectStatusBody(res, 400, "BadRequest");
  });
});
