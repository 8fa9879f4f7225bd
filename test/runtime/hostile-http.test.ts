// Hostile HTTP below and around the routes: raw sockets for what fetch cannot send (no Host,
// malformed request lines, oversized headers, slow clients), wrong methods, compressed or
// non-UTF-8 bodies, absurd nesting, oversized chunked uploads. Every answer is the documented
// JSON error body with a 4xx, and the server keeps serving afterwards.
import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningRuntime } from "../../runtime/server/start.js";
import { getJson, startTestRuntime, type JsonBody } from "./support/runtime.js";

let runtime: RunningRuntime;
let port: number;
let modelName: string;

beforeAll(async () => {
  runtime = await startTestRuntime({
    VIGIL_HEADERS_TIMEOUT_MS: "500",
    VIGIL_REQUEST_TIMEOUT_MS: "1000",
    VIGIL_KEEP_ALIVE_TIMEOUT_MS: "500",
  });
  port = Number(new URL(runtime.url).port);
  modelName = runtime.state.model.name;
});
afterAll(() => runtime?.stop({ drainDelay: false }));

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: JsonBody;
  closedBy: "server" | "test";
}

/** Writes bytes on a fresh connection and reads until the server closes it (or `waitMs`). */
function raw(request: string, waitMs = 5000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(request));
    let text = "";
    let closedBy: RawResponse["closedBy"] = "server";
    const timer = setTimeout(() => {
      closedBy = "test";
      socket.destroy();
    }, waitMs);
    socket.on("data", (d: Buffer) => (text += d.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => {
      clearTimeout(timer);
      const [head = "", ...rest] = text.split("\r\n\r\n");
      const [statusLine = "", ...headerLines] = head.split("\r\n");
      const headers = Object.fromEntries(
        headerLines.map((l) => [
          l.slice(0, l.indexOf(":")).toLowerCase(),
          l.slice(l.indexOf(":") + 1).trim(),
        ]),
      );
      const bodyText = rest.join("\r\n\r\n");
      resolve({
        status: Number(statusLine.split(" ")[1] ?? 0),
        headers,
        body: bodyText ? JSON.parse(bodyText) : undefined,
        closedBy,
      });
    });
  });
}

function post(path: string, body: string, headers: Record<string, string>): string {
  const lines = Object.entries({
    host: "vigil",
    connection: "close",
    "content-length": String(Buffer.byteLength(body)),
    ...headers,
  });
  return `POST ${path} HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n${body}`;
}

function expectVigilError(res: RawResponse, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/json/);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe("string");
}

describe("errors below the routes come in the documented JSON body", () => {
  it("answers a malformed request line with 400", async () => {
    expectVigilError(await raw("NOT AN HTTP REQUEST\r\n\r\n"), 400, "invalid_request");
  });

  it("answers oversized headers with 431", async () => {
    const res = await raw(`GET /live HTTP/1.1\r\nhost: x\r\nx-big: ${"a".repeat(40_000)}\r\n\r\n`);
    expectVigilError(res, 431, "headers_too_large");
  });

  it("answers an HTTP/1.1 request without Host with 400 naming the header", async () => {
    const res = await raw("GET /live HTTP/1.1\r\nconnection: close\r\n\r\n");
    expectVigilError(res, 400, "invalid_request");
    expect(res.body.error.field).toBe("host");
  });
});

describe("slow and idle clients", () => {
  it("closes a connection whose headers never finish with 408 (slowloris)", async () => {
    const res = await raw("GET /live HTTP/1.1\r\nhost: x\r\n", 10_000);
    expect(res.closedBy).toBe("server");
    expectVigilError(res, 408, "request_timeout");
  });

  it("closes a connection whose body never finishes", async () => {
    const res = await raw(
      `POST /v1/classify HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"text":`,
      10_000,
    );
    expect(res.closedBy).toBe("server");
    expectVigilError(res, 408, "request_timeout");
  });

  it("closes an idle keep-alive connection", async () => {
    const res = await raw("GET /live HTTP/1.1\r\nhost: x\r\n\r\n", 10_000);
    expect(res.status).toBe(200);
    expect(res.closedBy).toBe("server");
  });
});

describe("methods", () => {
  it.each([
    ["GET", "/v1/classify", "POST"],
    ["DELETE", "/v1/moderations", "POST"],
    ["PUT", "/live", "GET, HEAD"],
  ])("answers %s %s with 405 and Allow: %s", async (method, path, allow) => {
    const res = await raw(
      `${method} ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
    );
    expectVigilError(res, 405, "method_not_allowed");
    expect(res.headers.allow).toBe(allow);
  });

  it("answers 405 on a parameterised path too, and 404 on an unknown one", async () => {
    const wrong = await raw(
      `GET /v2/models/${modelName}/infer HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`,
    );
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe("POST");
    const unknown = await raw("GET /v1/nothing-here HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
    expectVigilError(unknown, 404, "not_found");
  });
});

describe("bodies the server must not guess at", () => {
  const body = JSON.stringify({ text: "hello" });

  it.each(["gzip", "br", "deflate"])("refuses content-encoding %s with 415", async (encoding) => {
    const res = await raw(
      post("/v1/classify", body, { "content-type": "application/json", "content-encoding": encoding }),
    );
    expectVigilError(res, 415, "unsupported_media_type");
    expect(res.body.error.field).toBe("content-encoding");
  });

  it("accepts content-encoding identity", async () => {
    const res = await raw(
      post("/v1/classify", body, { "content-type": "application/json", "content-encoding": "identity" }),
    );
    expect(res.status).toBe(200);
  });

  it.each(["utf-16", "latin1", "iso-8859-1"])("refuses charset %s with 415", async (charset) => {
    const res = await raw(
      post("/v1/classify", body, { "content-type": `application/json; charset=${charset}` }),
    );
    expectVigilError(res, 415, "unsupported_media_type");
    expect(res.body.error.field).toBe("content-type");
  });

  it("answers OIP data nested far deeper than its shape with 400 naming the field", async () => {
    const deep = `{"inputs":[{"name":"text","shape":[1],"datatype":"BYTES","data":${"[".repeat(20_000)}"x"${"]".repeat(20_000)}}]}`;
    const res = await raw(
      post(`/v2/models/${modelName}/infer`, deep, { "content-type": "application/json" }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^inputs\[0\]\.data: nested deeper/);
  });

  it("still accepts data nested as deep as a [n, 1] shape", async () => {
    const ok = JSON.stringify({
      inputs: [{ name: "text", shape: [2, 1], datatype: "BYTES", data: [["a"], ["b"]] }],
    });
    const res = await raw(post(`/v2/models/${modelName}/infer`, ok, { "content-type": "application/json" }));
    expect(res.status).toBe(200);
    expect(res.body.outputs.find((o: JsonBody) => o.name === "action").data).toHaveLength(2);
  });

  it("delivers the 413 to a client still streaming a 50 MB chunked body", async () => {
    const outcome = await new Promise<{ status?: number; body?: string; error?: string }>((resolve) => {
      const req = http.request({
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/v1/classify",
        headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
      });
      req.on("response", (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode, body: text }));
      });
      req.on("error", (error) => resolve({ error: error.message }));
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      const pump = (): void => {
        while (sent < 50 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once("drain", pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe(413);
    expect(JSON.parse(outcome.body!).error.code).toBe("payload_too_large");
  });
});

describe("the server is unharmed", () => {
  it("still answers and reports ready after every hostile request above", async () => {
    const ready = await getJson(runtime, "/ready");
    expect(ready.status).toBe(200);
  });
});
