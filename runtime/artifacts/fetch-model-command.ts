// The `fetch-model` subcommand's flags and outcome: exactly one JSON line in the termination
// log (success or the failure reason), one line on stderr when it fails, the digest on stdout
// when it succeeds. Exit 0 verified, 1 refused, 2 bad flags.
import type { ArtifactTerminationMessage } from "../../operator/desired/runtime-contract.js";
import { ArtifactError } from "./artifact-error.js";
import { Deadline } from "./deadline.js";
import { fetchHttpModel, verifyModelDirectory, type Verified } from "./fetch-model.js";
import { authorizationHeader, type AuthType } from "./http-auth.js";
import { writeTerminationLog } from "./termination-log.js";

export const FETCH_DEFAULTS = {
  timeoutSeconds: 300,
  maxBytes: 2 * 1024 ** 3,
  maxFiles: 10_000,
  retries: 5,
  backoffMs: 1000,
  terminationLog: "/dev/termination-log",
} as const;

export interface FetchModelFlags {
  uri?: string;
  verifyDir?: string;
  sha256?: string;
  dest?: string;
  timeout?: string;
  maxBytes?: string;
  maxFiles?: string;
  retries?: string;
  backoffMs?: string;
  authFile?: string;
  authEnv?: string;
  authType?: string;
  cacheDir?: string;
  terminationLog?: string;
}

export class FetchUsageError extends Error {}

function count(flag: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min)
    throw new FetchUsageError(`${flag} must be an integer >= ${min}, got '${value}'`);
  return n;
}

interface Plan {
  run: (deadline: Deadline) => Promise<Verified>;
  /** What a full disk is, in the failure message. */
  volumes: string;
  timeoutSeconds: number;
  terminationLog: string;
}

function plan(flags: FetchModelFlags, env: NodeJS.ProcessEnv, log: (line: string) => void): Plan {
  if ((flags.uri === undefined) === (flags.verifyDir === undefined))
    throw new FetchUsageError(
      "give exactly one of --uri (download) or --verify-dir (check a mounted directory)",
    );
  if (flags.sha256 !== undefined && !/^[a-fA-F0-9]{64}$/.test(flags.sha256))
    throw new FetchUsageError(`--sha256 must be 64 hex characters, got '${flags.sha256}'`);
  const authType = (flags.authType ?? "bearer") as AuthType;
  if (authType !== "bearer" && authType !== "basic")
    throw new FetchUsageError(`--auth-type must be bearer or basic, got '${flags.authType}'`);
  const timeoutSeconds = count("--timeout", flags.timeout, FETCH_DEFAULTS.timeoutSeconds, 1);
  const maxBytes = count("--max-bytes", flags.maxBytes, FETCH_DEFAULTS.maxBytes, 1);
  const maxFiles = count("--max-files", flags.maxFiles, FETCH_DEFAULTS.maxFiles, 1);
  const retries = count("--retries", flags.retries, FETCH_DEFAULTS.retries, 0);
  const backoffMs = count("--backoff-ms", flags.backoffMs, FETCH_DEFAULTS.backoffMs, 0);
  const terminationLog = flags.terminationLog ?? FETCH_DEFAULTS.terminationLog;
  const sha256 = flags.sha256?.toLowerCase();
  if (flags.cacheDir !== undefined && flags.uri === undefined)
    throw new FetchUsageError("--cache-dir applies to --uri downloads only");
  if (flags.cacheDir !== undefined && sha256 === undefined)
    throw new FetchUsageError("--cache-dir needs --sha256: cache entries are keyed by the artifact's digest");
  if (flags.verifyDir !== undefined) {
    const dir = flags.verifyDir;
    return {
      timeoutSeconds,
      terminationLog,
      volumes: "the model volume",
      run: (deadline) => verifyModelDirectory(dir, { deadline, sha256 }),
    };
  }
  const uri = flags.uri!;
  if (uri.startsWith("oci://") || uri.startsWith("pvc://")) {
    throw new FetchUsageError(
      `${uri.split("://")[0]}:// sources are mounted or copied by the pod, not downloaded; check them with --verify-dir`,
    );
  }
  if (flags.dest === undefined) throw new FetchUsageError("--dest is required with --uri");
  const dest = flags.dest;
  return {
    timeoutSeconds,
    terminationLog,
    volumes: flags.cacheDir === undefined ? "the model volume" : "the model volume or the model cache",
    run: (deadline) =>
      fetchHttpModel(uri, dest, {
        deadline,
        sha256,
        limits: { maxBytes, maxFiles },
        cacheDir: flags.cacheDir,
        download: {
          // Read inside run(): a missing credentials file is the artifact's failure, with its reason.
          authorization: authorizationHeader(
            { file: flags.authFile, env: flags.authEnv, type: authType },
            env,
          ),
          retries,
          backoffMs,
          log,
        },
      }),
  };
}

function asArtifactError(error: unknown, deadline: Deadline, volumes: string): ArtifactError {
  if (error instanceof ArtifactError) return error;
  if (deadline.signal.aborted) return deadline.error();
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === "ENOSPC" || code === "EDQUOT")
    return new ArtifactError("ArtifactTooLarge", `no space left on ${volumes} (${message.split("\n")[0]})`);
  return new ArtifactError("ArtifactInvalid", `unexpected error: ${String(message ?? error).split("\n")[0]}`);
}

export interface FetchIo {
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
  err: (text: string) => void;
}

/** Runs fetch-model and returns its exit code; FetchUsageError escapes for the CLI's usage handling. */
export async function runFetchModel(flags: FetchModelFlags, io: FetchIo): Promise<number> {
  const log = (line: string): void => io.err(`fetch-model: ${line}\n`);
  const { run, timeoutSeconds, terminationLog, volumes } = plan(flags, io.env, log);
  const deadline = new Deadline(timeoutSeconds);
  let message: ArtifactTerminationMessage;
  try {
    const verified = await run(deadline);
    message = { reason: "ArtifactVerified", sha256: verified.sha256 };
    writeTerminationLog(terminationLog, message);
    io.out(verified.sha256);
    return 0;
  } catch (error) {
    const refused = asArtifactError(error, deadline, volumes);
    message = { reason: refused.reason, message: refused.message };
    writeTerminationLog(terminationLog, message);
    io.err(`fetch-model: ${refused.reason}: ${refused.message}\n`);
    return 1;
  } finally {
    deadline.dispose();
  }
}
