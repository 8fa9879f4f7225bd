// Helpers shared by the state-and-protection tests: HTTP calls with headers, Prometheus
// samples, a Policy file the test can bump, and API keys / JWTs for a runtime under test.
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { SignJWT, exportJWK, generateKeyPair, type JWK } from "jose";
import { withoutStorageEnv, type JsonBody } from "../runtime/support/runtime.js";

export interface Reply {
  status: number;
  headers: Headers;
  body: JsonBody;
}

export interface CallOptions {
  json?: unknown;
  /** A raw body (sent as is, with whatever content-type `headers` gives). */
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

export async function call(
  baseUrl: string,
  method: string,
  url: string,
  options: CallOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | Uint8Array | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(`${baseUrl}${url}`, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  let parsed: JsonBody = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (e.g. /metrics): keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** One sample from the Prometheus text format, e.g. `vigil_redis_up` or `x_total{reason="a"}`. */
export async function sample(baseUrl: string, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

export const policyYaml = (generation: number, toxicityBlock = 0.92): string => `
apiVersion: moderation.vigil.dev/v1alpha1
kind: Policy
metadata: { name: state-policy, generation: ${generation} }
spec:
  categories:
    toxicity: { flag: 0.5, block: ${toxicityBlock} }
    threat: { review: 0.5, block: 0.75 }
  terms:
    block: ["kys"]
    flag: ["idiot"]
`;

/** A Secret-like directory of API keys: one file per key, named by the key's name. */
export async function writeApiKeys(dir: string, keys: Record<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, key] of Object.entries(keys)) await writeFile(path.join(dir, name), `${key}\n`);
}

export interface TestIssuer {
  issuer: string;
  audience: string;
  jwks: { keys: JWK[] };
  /** A signed token; `claims` override the defaults (sub, iss, aud); expires in 5 minutes. */
  token(
    claims?: Record<string, unknown>,
    options?: { expiresAt?: number; signWith?: "trusted" | "stranger" },
  ): Promise<string>;
}

export async function testIssuer(): Promise<TestIssuer> {
  const trusted = await generateKeyPair("ES256", { extractable: true });
  const stranger = await generateKeyPair("ES256", { extractable: true });
  const publicJwk = { ...(await exportJWK(trusted.publicKey)), kid: "trusted", alg: "ES256", use: "sig" };
  const issuer = "https://idp.example.test/";
  const audience = "vigil-runtime";
  return {
    issuer,
    audience,
    jwks: { keys: [publicJwk] },
    token: async (claims = {}, options = {}) => {
      const key = options.signWith === "stranger" ? stranger : trusted;
      return new SignJWT({ sub: "svc-comments", ...claims })
        .setProtectedHeader({ alg: "ES256", kid: options.signWith === "stranger" ? "stranger" : "trusted" })
        .setIssuer((claims.iss as string | undefined) ?? issuer)
        .setAudience((claims.aud as string | undefined) ?? audience)
        .setIssuedAt()
        .setExpirationTime(options.expiresAt ?? Math.floor(Date.now() / 1000) + 300)
        .sign(key.privateKey);
    },
  };
}

/** Keeps the event loop busy (the server under test runs in this process), simulating overload. */
export function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy on purpose
  }
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

/** Runs `vigil-runtime <args>` as a separate process, as a user (or the image) would. */
export function runCli(args: string[], env: Record<string, string | undefined>): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "runtime/main.ts", ...args], {
      cwd: REPO_ROOT,
      env: { ...withoutStorageEnv(process.env), ...env } as NodeJS.ProcessEnv,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
