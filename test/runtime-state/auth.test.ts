// Authentication and authorisation through the real server: API keys from a mounted-Secret
// directory (compared by hash), JWTs checked offline against a JWKS file, 401 vs 403 with JSON
// bodies in each API's error format, unauthenticated probes and metrics, key rotation without
// a restart, and auth failures counted by reason.
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningRuntime } from "../../runtime/server/start.js";
import { waitFor } from "../harness/index.js";
import { makeTempDir, startTestRuntime } from "../runtime/support/runtime.js";
import { call, sample, testIssuer, writeApiKeys, type TestIssuer } from "./support.js";

const APP_KEY = "app-key-3b1f0c5e9d2a4b7c";
const REVIEW_KEY = "review-key-8e6d4c2a0f1b3d5e";

let runtime: RunningRuntime;
let temp: Awaited<ReturnType<typeof makeTempDir>>;
let keysDir: string;
let issuer: TestIssuer;

beforeAll(async () => {
  temp = await makeTempDir();
  keysDir = path.join(temp.dir, "api-keys");
  await writeApiKeys(keysDir, { "comments-app": APP_KEY, "alice.review": REVIEW_KEY });
  // What a Secret volume holds besides the keys: never read as keys.
  await writeFile(path.join(keysDir, "..data"), "not-a-key");
  issuer = await testIssuer();
  const jwksFile = path.join(temp.dir, "jwks.json");
  await writeFile(jwksFile, JSON.stringify(issuer.jwks));
  runtime = await startTestRuntime({
    VIGIL_API_KEYS_DIR: keysDir,
    VIGIL_JWT_ISSUER: issuer.issuer,
    VIGIL_JWT_AUDIENCE: issuer.audience,
    VIGIL_JWT_JWKS_FILE: jwksFile,
    VIGIL_CREDENTIALS_POLL_MS: "100",
  });
});
afterAll(async () => {
  await runtime?.stop({ drainDelay: false });
  await temp?.remove();
});

const classify = (headers: Record<string, string> = {}) =>
  call(runtime.url, "POST", "/v1/classify", { json: { text: "have a nice day" }, headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("API keys", () => {
  it("accepts a key as a bearer token or in X-API-Key", async () => {
    expect((await classify(bearer(APP_KEY))).status).toBe(200);
    expect((await classify({ "x-api-key": APP_KEY })).status).toBe(200);
  });

  it("answers missing or unknown credentials with 401, a JSON body and WWW-Authenticate", async () => {
    const missing = await classify();
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="vigil"');
    expect(missing.body).toEqual({
      error: {
        code: "unauthorized",
        message: "credentials required: send 'Authorization: Bearer <token or API key>' or 'X-API-Key'",
      },
    });
    const wrong = await classify(bearer(`${APP_KEY}x`));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toBe("API key not recognised");
    const scheme = await classify({
      authorization: `Basic ${Buffer.from(`u:${APP_KEY}`).toString("base64")}`,
    });
    expect(scheme.status).toBe(401);
    expect(scheme.body.error.message).toContain("must be 'Bearer");
    // The Secret volume's bookkeeping files are not keys.
    expect((await classify(bearer("not-a-key"))).status).toBe(401);
  });

  it("answers 401 in each API's own error format", async () => {
    const openai = await call(runtime.url, "POST", "/v1/moderations", { json: { input: "x" } });
    expect(openai.status).toBe(401);
    expect(openai.body).toEqual({
      error: {
        message: expect.stringContaining("credentials required"),
        type: "invalid_request_error",
        param: null,
        code: "unauthorized",
      },
    });
    const oip = await call(runtime.url, "POST", `/v2/models/${runtime.state.model.name}/infer`, {
      json: { inputs: [{ name: "text", shape: [1], datatype: "BYTES", data: ["x"] }] },
    });
    expect(oip.status).toBe(401);
    expect(oip.body).toEqual({ error: expect.stringContaining("credentials required") });
    expect((await call(runtime.url, "GET", "/v2")).status).toBe(401);
  });

  it("picks up a key added to (and removed from) the mounted Secret without a restart", async () => {
    const rotated = "rotated-key-5a7c9e1b3d";
    expect((await classify(bearer(rotated))).status).toBe(401);
    await writeApiKeys(keysDir, { "comments-app-2": rotated });
    await waitFor(
      "the new key to be accepted",
      async () => (await classify(bearer(rotated))).status === 200,
      5000,
    );
    await rm(path.join(keysDir, "comments-app-2"));
    await waitFor(
      "the removed key to be refused",
      async () => (await classify(bearer(rotated))).status === 401,
      5000,
    );
  });
});

describe("JWT", () => {
  it("accepts a token from the configured issuer for the configured audience", async () => {
    expect((await classify(bearer(await issuer.token()))).status).toBe(200);
  });

  it.each([
    ["expired", { sub: "svc" }, { expiresAt: Math.floor(Date.now() / 1000) - 600 }, "token has expired"],
    ["another issuer", { iss: "https://evil.example.test/" }, {}, "token claim 'iss' is not accepted"],
    ["another audience", { aud: "someone-else" }, {}, "token claim 'aud' is not accepted"],
    ["no subject", { sub: undefined }, {}, "token claim 'sub' is not accepted"],
    ["an untrusted key", {}, { signWith: "stranger" as const }, "token is not signed by a trusted key"],
  ])("refuses a token from %s with 401", async (_case, claims, options, message) => {
    const res = await classify(bearer(await issuer.token(claims, options)));
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({ code: "unauthorized", message });
  });

  it("refuses a tampered token", async () => {
    const token = await issuer.token();
    const [header, payload, signature] = token.split(".");
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), sub: "admin" }),
    ).toString("base64url");
    const res = await classify(bearer(`${header}.${forged}.${signature}`));
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe("token signature does not verify");
  });
});

describe("review rights (403) and public endpoints", () => {
  it("lets only review keys and review-scoped tokens near the review queue", async () => {
    // No Postgres here: a caller who gets past auth sees 404 (no review queue), not 401/403.
    const list = (headers: Record<string, string>) => call(runtime.url, "GET", "/v1/decisions", { headers });
    const forbidden = await list(bearer(APP_KEY));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe("forbidden");
    expect((await list(bearer(await issuer.token()))).status).toBe(403);
    expect((await list(bearer(REVIEW_KEY))).status).toBe(404);
    expect((await list(bearer(await issuer.token({ scope: "openid moderation:review" })))).status).toBe(404);
    expect((await list(bearer(await issuer.token({ scp: ["moderation:review"] })))).status).toBe(404);
    expect((await list({})).status).toBe(401);
  });

  it("serves probes, OIP health, metrics and the OpenAPI document without credentials", async () => {
    for (const url of [
      "/live",
      "/ready",
      "/startup",
      "/v2/health/live",
      "/v2/health/ready",
      "/metrics",
      "/openapi.json",
    ]) {
      expect((await call(runtime.url, "GET", url)).status, url).toBe(200);
    }
  });

  it("counts auth failures by reason", async () => {
    await classify();
    await classify(bearer("wrong"));
    await classify(bearer(await issuer.token({}, { expiresAt: Math.floor(Date.now() / 1000) - 600 })));
    await call(runtime.url, "GET", "/v1/decisions", { headers: bearer(APP_KEY) });
    for (const reason of ["missing_credentials", "invalid_api_key", "expired_token", "forbidden"]) {
      expect(
        await sample(runtime.url, `vigil_auth_failures_total{reason="${reason}"}`),
        reason,
      ).toBeGreaterThan(0);
    }
  });
});
