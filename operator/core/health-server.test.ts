import { Counter, Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { parseBindAddress, startHealthServer, type HealthServer } from "./health-server.js";

describe("parseBindAddress", () => {
  it("accepts host:port forms with an optional host", () => {
    expect(parseBindAddress(":8081")).toEqual({ port: 8081 });
    expect(parseBindAddress("0.0.0.0:9000")).toEqual({ host: "0.0.0.0", port: 9000 });
    expect(parseBindAddress("[::1]:0")).toEqual({ host: "::1", port: 0 });
  });

  it("rejects what is not host:port", () => {
    for (const bad of ["8081", "localhost", ":99999", "a:b"]) {
      expect(() => parseBindAddress(bad), bad).toThrow("invalid bind address");
    }
  });
});

describe("startHealthServer", () => {
  let server: HealthServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it("answers /healthz always, /readyz by readiness, and /metrics from the registry", async () => {
    const registry = new Registry();
    new Counter({ name: "probe_test_total", help: "test", registers: [registry] }).inc();
    let ready = false;
    server = await startHealthServer({
      bindAddress: "127.0.0.1:0",
      registry,
      ready: () => ({ ok: ready, detail: ready ? "ok" : "caches not synced: Policy" }),
    });
    const get = (path: string) => fetch(`http://127.0.0.1:${server!.port}${path}`);
    expect((await get("/healthz")).status).toBe(200);
    const notReady = await get("/readyz");
    expect(notReady.status).toBe(503);
    expect(await notReady.text()).toContain("Policy");
    ready = true;
    expect((await get("/readyz")).status).toBe(200);
    expect(await (await get("/metrics")).text()).toContain("probe_test_total 1");
    expect((await get("/nope")).status).toBe(404);
  });
});
