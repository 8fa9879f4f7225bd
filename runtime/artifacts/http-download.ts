// Downloads one URL to a file, streamed: each chunk is counted against the size bound, fed to
// sha256 and written, so memory stays flat whatever the artifact's size. Transient failures
// are retried with backoff (retry-policy.ts) within the fetch's deadline.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import http from "node:http";
import https from "node:https";
import { pipeline } from "node:stream/promises";
import { ArtifactError } from "./artifact-error.js";
import type { Deadline } from "./deadline.js";
import { GarbageBound } from "./garbage-bound.js";
import { backoffMs, isTransientStatus, retryAfterMs } from "./retry-policy.js";

export interface DownloadOptions {
  deadline: Deadline;
  maxBytes: number;
  /** Sent only to the artifact's own host: a redirect elsewhere (a presigned URL) goes without it. */
  authorization?: string | undefined;
  retries: number;
  backoffMs: number;
  /** Report progress and retries (stderr in the CLI). */
  log: (line: string) => void;
}

export interface Downloaded {
  sha256: string;
  bytes: number;
}

const MAX_REDIRECTS = 5;
/**
 * Bytes the file may have queued before the socket stops being read. Node's default (16 KiB)
 * is less than one socket read, so every chunk waited for its write to finish before the next
 * was read and hashed; with room for a MiB the disk writes (batched into writev) overlap with
 * receiving and hashing, and memory stays bounded by this.
 */
const WRITE_QUEUE_BYTES = 1024 * 1024;

/** A failure another attempt may not repeat. */
class TransientFailure extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** 404 where the caller allows it (an optional sidecar file). */
export class NotFound extends ArtifactError {
  constructor(url: string) {
    super("ArtifactUnreachable", `${url}: HTTP 404 Not Found`);
  }
}

function redactedUrl(url: URL): string {
  // Presigned URLs carry their signature in the query string: never log it.
  return `${url.origin}${url.pathname}`;
}

function request(
  url: URL,
  headers: http.OutgoingHttpHeaders,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(url, { headers, signal }, resolve);
    req.on("error", reject);
  });
}

function describeError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code
    ? `${e.code}${e.message && !e.message.includes(e.code) ? ` ${e.message}` : ""}`
    : String(e.message ?? e);
}

async function respond(
  start: URL,
  options: DownloadOptions,
): Promise<{ response: http.IncomingMessage; url: URL }> {
  let url = start;
  for (let hop = 0; ; hop++) {
    const headers: http.OutgoingHttpHeaders = { "user-agent": "vigil-runtime fetch-model" };
    if (options.authorization && url.host === start.host) headers.authorization = options.authorization;
    let response: http.IncomingMessage;
    try {
      response = await request(url, headers, options.deadline.signal);
    } catch (error) {
      if (options.deadline.signal.aborted) throw options.deadline.error();
      throw new TransientFailure(`${redactedUrl(url)}: ${describeError(error)}`);
    }
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (hop >= MAX_REDIRECTS)
        throw new ArtifactError(
          "ArtifactUnreachable",
          `${redactedUrl(start)}: more than ${MAX_REDIRECTS} redirects`,
        );
      url = new URL(response.headers.location, url);
      continue;
    }
    return { response, url };
  }
}

async function attempt(start: URL, file: string, options: DownloadOptions): Promise<Downloaded> {
  const { response, url } = await respond(start, options);
  const status = response.statusCode ?? 0;
  const where = redactedUrl(url);
  if (status < 200 || status >= 300) {
    response.resume();
    const line = `${where}: HTTP ${status} ${response.statusMessage ?? ""}`.trimEnd();
    if (status === 401 || status === 403) throw new ArtifactError("ArtifactUnauthorized", line);
    if (status === 404) throw new NotFound(where);
    if (isTransientStatus(status)) {
      const header = response.headers["retry-after"];
      throw new TransientFailure(line, retryAfterMs(Array.isArray(header) ? header[0] : header, Date.now()));
    }
    throw new ArtifactError("ArtifactUnreachable", line);
  }
  const declared = response.headers["content-length"]
    ? Number(response.headers["content-length"])
    : undefined;
  if (declared !== undefined && declared > options.maxBytes) {
    response.destroy();
    throw new ArtifactError(
      "ArtifactTooLarge",
      `${where}: ${declared} bytes exceeds the ${options.maxBytes}-byte limit (spec.model.source.size)`,
    );
  }
  const hash = createHash("sha256");
  const garbage = new GarbageBound();
  let bytes = 0;
  const { maxBytes } = options;
  try {
    await pipeline(
      response,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          bytes += chunk.length;
          if (bytes > maxBytes) {
            throw new ArtifactError(
              "ArtifactTooLarge",
              `${where}: more than ${maxBytes} bytes (the limit, spec.model.source.size)`,
            );
          }
          hash.update(chunk);
          garbage.streamed(chunk.length);
          yield chunk;
        }
      },
      createWriteStream(file, { highWaterMark: WRITE_QUEUE_BYTES }),
      { signal: options.deadline.signal },
    );
  } catch (error) {
    if (error instanceof ArtifactError) throw error;
    if (options.deadline.signal.aborted) throw options.deadline.error(`${bytes} bytes of ${where} received`);
    const of = declared !== undefined ? ` of ${declared}` : "";
    throw new TransientFailure(
      `${where}: connection lost after ${bytes}${of} bytes (${describeError(error)})`,
    );
  }
  if (declared !== undefined && bytes !== declared) {
    throw new TransientFailure(`${where}: body truncated at ${bytes} of ${declared} bytes`);
  }
  return { sha256: hash.digest("hex"), bytes };
}

/** Downloads `url` to `file` (overwritten on each attempt) and returns its sha256 and size. */
export async function downloadToFile(
  url: string,
  file: string,
  options: DownloadOptions,
): Promise<Downloaded> {
  const start = new URL(url);
  for (let attemptNo = 0; ; attemptNo++) {
    options.deadline.check();
    try {
      return await attempt(start, file, options);
    } catch (error) {
      if (!(error instanceof TransientFailure)) throw error;
      const attempts = attemptNo + 1;
      if (attemptNo >= options.retries) {
        throw new ArtifactError(
          "ArtifactUnreachable",
          `${error.message} (gave up after ${attempts} attempts)`,
        );
      }
      const wait = error.retryAfterMs ?? backoffMs(attemptNo, options.backoffMs);
      if (wait >= options.deadline.remainingMs()) {
        throw new ArtifactError(
          "ArtifactUnreachable",
          `${error.message} (gave up after ${attempts} attempts: the next, in ${Math.ceil(wait / 1000)}s, ` +
            `would end after the ${options.deadline.seconds}s timeout)`,
        );
      }
      options.log(`${error.message}; retrying in ${(wait / 1000).toFixed(1)}s`);
      await options.deadline.sleep(wait);
    }
  }
}
