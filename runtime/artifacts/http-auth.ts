// Credentials for an http(s) artifact, read from a file mounted from a Secret or from an
// environment variable: a bearer token, or `username:password` for basic auth.
import { readFileSync } from "node:fs";
import { ArtifactError } from "./artifact-error.js";

export type AuthType = "bearer" | "basic";

export interface AuthSource {
  file?: string | undefined;
  env?: string | undefined;
  type: AuthType;
}

function secretText(source: AuthSource, env: NodeJS.ProcessEnv): string | undefined {
  if (source.file) {
    try {
      return readFileSync(source.file, "utf8");
    } catch (e) {
      throw new ArtifactError(
        "ArtifactUnauthorized",
        `cannot read credentials from ${source.file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      );
    }
  }
  if (source.env) {
    const value = env[source.env];
    if (value === undefined)
      throw new ArtifactError("ArtifactUnauthorized", `credentials variable ${source.env} is not set`);
    return value;
  }
  return undefined;
}

/** The Authorization header value, or undefined when no credentials are configured. */
export function authorizationHeader(source: AuthSource, env: NodeJS.ProcessEnv): string | undefined {
  const raw = secretText(source, env);
  if (raw === undefined) return undefined;
  // Secrets written with `echo` end in a newline that is not part of the credential.
  const value = raw.replace(/\r?\n$/, "");
  if (value === "") throw new ArtifactError("ArtifactUnauthorized", "the credentials are empty");
  if (source.type === "bearer") return `Bearer ${value}`;
  if (!value.includes(":"))
    throw new ArtifactError("ArtifactUnauthorized", "basic credentials must be 'username:password'");
  return `Basic ${Buffer.from(value, "utf8").toString("base64")}`;
}
