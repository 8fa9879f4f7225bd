// JWT bearer tokens checked offline against a JSON Web Key Set file (the mounted Secret), with
// the configured issuer and audience and a required subject. The file is re-read on a timer,
// so rotating the Secret rotates the keys without a restart. A token carrying the scope
// `moderation:review` (in `scope` or `scp`) may also use the review queue.
import { readFile } from "node:fs/promises";
import { createLocalJWKSet, errors, jwtVerify, type JWTPayload } from "jose";
import type { JwtConfig } from "../config.js";

export const REVIEW_SCOPE = "moderation:review";
/** Leeway for clocks of the issuer and this pod that disagree a little. */
const CLOCK_TOLERANCE_SECONDS = 30;

export type JwtFailureReason = "invalid_token" | "expired_token";

export type JwtVerification =
  | { ok: true; subject: string; canReview: boolean }
  | { ok: false; reason: JwtFailureReason; message: string };

type KeySet = ReturnType<typeof createLocalJWKSet>;

function scopesOf(payload: JWTPayload): string[] {
  const scope = payload.scope;
  const scp = payload.scp;
  return [
    ...(typeof scope === "string" ? scope.split(" ") : []),
    ...(Array.isArray(scp) ? scp.filter((s): s is string => typeof s === "string") : []),
    ...(typeof scp === "string" ? scp.split(" ") : []),
  ];
}

function failure(error: unknown): JwtVerification {
  if (error instanceof errors.JWTExpired)
    return { ok: false, reason: "expired_token", message: "token has expired" };
  if (error instanceof errors.JWTClaimValidationFailed) {
    return { ok: false, reason: "invalid_token", message: `token claim '${error.claim}' is not accepted` };
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return { ok: false, reason: "invalid_token", message: "token is not signed by a trusted key" };
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return { ok: false, reason: "invalid_token", message: "token signature does not verify" };
  }
  return { ok: false, reason: "invalid_token", message: "token is not a valid JWT" };
}

export class JwtVerifier {
  private keySet: KeySet | undefined;
  private keyCount = 0;

  private constructor(private readonly config: JwtConfig) {}

  /** Reads the JWKS; an unreadable or invalid file throws (the caller fails the start). */
  static async load(config: JwtConfig): Promise<JwtVerifier> {
    const verifier = new JwtVerifier(config);
    await verifier.reload();
    return verifier;
  }

  describe(): string {
    return `JWT (issuer ${this.config.issuer}, audience ${this.config.audience}, ${this.keyCount} key(s) from ${this.config.jwksFile})`;
  }

  /** Re-reads the JWKS file; on error the previous keys stay and the error is thrown. */
  async reload(): Promise<void> {
    const file = this.config.jwksFile;
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      throw new Error(`${file}: cannot read a JSON Web Key Set (${(error as Error).message})`);
    }
    const keys = (parsed as { keys?: unknown }).keys;
    if (!Array.isArray(keys)) throw new Error(`${file}: not a JSON Web Key Set (no "keys" array)`);
    this.keySet = createLocalJWKSet(parsed as Parameters<typeof createLocalJWKSet>[0]);
    this.keyCount = keys.length;
  }

  async verify(token: string): Promise<JwtVerification> {
    if (!this.keySet) return { ok: false, reason: "invalid_token", message: "no signing keys loaded" };
    try {
      const { payload } = await jwtVerify(token, this.keySet, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        requiredClaims: ["sub"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      return { ok: true, subject: payload.sub!, canReview: scopesOf(payload).includes(REVIEW_SCOPE) };
    } catch (error) {
      return failure(error);
    }
  }
}
