// Who is calling: credentials from `Authorization: Bearer <token>` or `X-API-Key: <key>` are
// checked against the API keys and/or the JWT issuer configured, and become a Principal whose
// id keys rate limits and is recorded with each decision. A bearer value shaped like a JWT is
// verified as one when JWT auth is on; anything else is looked up as an API key. With neither
// configured (a local run) every caller is let in, identified by its IP address.
import type { IncomingHttpHeaders } from "node:http";
import type { JwtConfig } from "../config.js";
import { ApiKeyStore } from "./api-keys.js";
import { JwtVerifier } from "./jwt-verifier.js";

export interface Principal {
  /** `key:<name>`, `jwt:<subject>` or, with auth off, `ip:<address>`. */
  id: string;
  /** May read and review the decision log. */
  canReview: boolean;
}

export type AuthFailureReason = "missing_credentials" | "invalid_api_key" | "invalid_token" | "expired_token";

export type Authentication =
  { ok: true; principal: Principal } | { ok: false; reason: AuthFailureReason; message: string };

export interface AuthenticatorConfig {
  apiKeysDir: string | undefined;
  apiKeysFile: string | undefined;
  jwt: JwtConfig | undefined;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function presented(headers: IncomingHttpHeaders): string | { error: string } | undefined {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match ? match[1]! : { error: "Authorization header must be 'Bearer <token or API key>'" };
  }
  const apiKey = headers["x-api-key"];
  if (typeof apiKey === "string" && apiKey.trim()) return apiKey.trim();
  return undefined;
}

export class Authenticator {
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly apiKeys: ApiKeyStore | undefined,
    private readonly jwt: JwtVerifier | undefined,
  ) {}

  /** Loads the configured credentials; an unreadable source throws a one-line error. */
  static async open(config: AuthenticatorConfig): Promise<Authenticator> {
    let apiKeys: ApiKeyStore | undefined;
    if (config.apiKeysDir || config.apiKeysFile) {
      try {
        apiKeys = await ApiKeyStore.load({ dir: config.apiKeysDir, file: config.apiKeysFile });
      } catch (error) {
        throw new Error(`cannot read API keys: ${(error as Error).message}`);
      }
    }
    const jwt = config.jwt ? await JwtVerifier.load(config.jwt) : undefined;
    return new Authenticator(apiKeys, jwt);
  }

  /** Auth off: every caller is allowed. */
  static disabled(): Authenticator {
    return new Authenticator(undefined, undefined);
  }

  get enabled(): boolean {
    return this.apiKeys !== undefined || this.jwt !== undefined;
  }

  /** For the start-up log; also says how many API keys there are (0 locks everyone out). */
  describe(): string {
    if (!this.enabled) return "auth off: every caller is allowed, identified by IP address";
    return [this.apiKeys?.describe(), this.jwt?.describe()].filter(Boolean).join(" and ");
  }

  get apiKeyCount(): number {
    return this.apiKeys?.size ?? 0;
  }

  async authenticate(headers: IncomingHttpHeaders, ip: string): Promise<Authentication> {
    if (!this.enabled) return { ok: true, principal: { id: `ip:${ip}`, canReview: true } };
    const credential = presented(headers);
    if (credential === undefined) {
      return {
        ok: false,
        reason: "missing_credentials",
        message: "credentials required: send 'Authorization: Bearer <token or API key>' or 'X-API-Key'",
      };
    }
    if (typeof credential !== "string")
      return { ok: false, reason: "invalid_api_key", message: credential.error };
    if (this.jwt && (JWT_SHAPE.test(credential) || !this.apiKeys)) {
      const verified = await this.jwt.verify(credential);
      return verified.ok
        ? { ok: true, principal: { id: `jwt:${verified.subject}`, canReview: verified.canReview } }
        : { ok: false, reason: verified.reason, message: verified.message };
    }
    const key = this.apiKeys?.match(credential);
    return key
      ? { ok: true, principal: { id: `key:${key.name}`, canReview: key.canReview } }
      : { ok: false, reason: "invalid_api_key", message: "API key not recognised" };
  }

  /** Re-reads keys and the JWKS every `pollMs` (Secret rotation); failures keep the old ones. */
  startReloading(pollMs: number, onError: (message: string) => void): void {
    if (!this.enabled) return;
    this.timer = setInterval(() => {
      void Promise.all([
        this.apiKeys?.reload().catch((e: Error) => onError(`API keys not reloaded: ${e.message}`)),
        this.jwt?.reload().catch((e: Error) => onError(`JWKS not reloaded: ${e.message}`)),
      ]);
    }, pollMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }
}
