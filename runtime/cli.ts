// `vigil-runtime`: serve the HTTP API, classify text from the command line with the same
// model and Policy, migrate the decision log schema, or fetch and verify a model artifact
// (fetch-model, the revision's init container). Flags override the VIGIL_* environment.
// Usage errors print one line and exit 2; load errors (config, model, policy, database) print
// one line and exit 1; never a stack trace.
import { randomUUID } from "node:crypto";
import { Command, CommanderError, Option } from "commander";
import { loadConfig, type RuntimeConfig } from "./config.js";
import { ConfigError, ModelLoadError, PolicyFileError } from "./errors.js";
import { RUNTIME_VERSION } from "./paths.js";
import type { FetchModelFlags } from "./artifacts/fetch-model-command.js";
import type { BackupFlags } from "./backup/backup-command.js";
import type { Reason } from "./policy/policy-engine.js";

// The server and the model stack load only for the command that needs them, so --help and
// usage errors answer at once.

interface CommonFlags {
  modelDir?: string;
  policyFile?: string;
}

/** Thrown to end the CLI with a message and an exit code. */
class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

function configFrom(flags: CommonFlags & { port?: string }, env: NodeJS.ProcessEnv): RuntimeConfig {
  return loadConfig({
    ...env,
    ...(flags.port !== undefined ? { VIGIL_PORT: flags.port } : {}),
    ...(flags.modelDir !== undefined ? { VIGIL_MODEL_DIR: flags.modelDir } : {}),
    ...(flags.policyFile !== undefined ? { VIGIL_POLICY_FILE: flags.policyFile } : {}),
  });
}

function asCliExit(error: unknown): CliExit {
  if (error instanceof CliExit) return error;
  if (error instanceof ConfigError) return new CliExit(2, error.message);
  if (error instanceof ModelLoadError || error instanceof PolicyFileError)
    return new CliExit(1, error.message);
  // The backup module loads lazily, so its usage error is known by name.
  if (error instanceof Error && error.name === "BackupUsageError") return new CliExit(2, error.message);
  return new CliExit(1, error instanceof Error ? error.message : String(error));
}

function localUrl(url: string): string {
  return url.replace("://0.0.0.0", "://localhost").replace("://[::]", "://localhost");
}

async function serve(flags: CommonFlags & { port?: string }, env: NodeJS.ProcessEnv): Promise<never> {
  const config = configFrom(flags, env);
  const { startRuntime, writeTerminationMessage } = await import("./server/start.js");
  const runtime = await startRuntime(config);
  let exiting = false;
  const shutdown = (signal: string, drainDelay: boolean): void => {
    if (exiting) return;
    exiting = true;
    runtime.app.log.info({ signal }, "stopping");
    void runtime.stop({ drainDelay }).finally(() => process.exit(0));
  };
  // SIGTERM comes from the kubelet: fail readiness first so the Service stops routing here.
  // SIGINT is someone at a terminal: no one to drain from.
  process.on("SIGTERM", () => shutdown("SIGTERM", true));
  process.on("SIGINT", () => shutdown("SIGINT", false));
  try {
    await runtime.modelReady;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    runtime.app.log.error({ error: message }, "model failed to load");
    writeTerminationMessage(message);
    await runtime.stop({ drainDelay: false });
    throw new CliExit(1, message);
  }
  const url = localUrl(runtime.url);
  process.stderr.write(
    `\nVigil runtime ${RUNTIME_VERSION} serving model '${runtime.state.model.name}' on ${url}\n` +
      `  curl -s ${url}/v1/moderations -H 'content-type: application/json' -d '{"input":"you are an idiot"}'\n` +
      `  curl -s ${url}/v1/classify -H 'content-type: application/json' -d '{"text":"Du bist ein Idiot"}'\n` +
      `  OpenAPI: ${url}/openapi.json   metrics: ${url}/metrics   readiness: ${url}/ready\n\n`,
  );
  // Runs until a signal arrives.
  return new Promise<never>(() => undefined);
}

function describeReason(reason: Reason): string {
  return "category" in reason
    ? `${reason.category} ${reason.score.toFixed(3)} >= ${reason.action} ${reason.threshold}`
    : `term '${reason.term}' (${reason.list} list)`;
}

async function classify(
  texts: string[],
  flags: CommonFlags & { json?: boolean; language?: string },
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
): Promise<void> {
  const config = configFrom(flags, env);
  const [
    { DisabledResultCache },
    { DiscardingDecisionSink },
    { loadModelDescriptor },
    { OnnxTextClassifier },
    { LanguageDetector },
    { Moderator },
    { PolicyStore },
    { classifyResponse },
    { RuntimeMetrics },
  ] = await Promise.all([
    import("./cache/result-cache.js"),
    import("./decisions/decision-sink.js"),
    import("./inference/model-dir.js"),
    import("./inference/text-classifier.js"),
    import("./language/language-detector.js"),
    import("./moderation/moderator.js"),
    import("./policy/policy-store.js"),
    import("./routes/classify.js"),
    import("./server/metrics.js"),
  ]);
  const model = await loadModelDescriptor(config.modelDir, {
    name: config.modelName,
    version: config.modelVersion,
  });
  const policies = await PolicyStore.open(config.policyFile, { labels: model.labels, pollMs: 0 });
  const metrics = new RuntimeMetrics();
  const classifier = await OnnxTextClassifier.load(
    model,
    { workers: 1, intraOpThreads: config.intraOpThreads, executionProvider: config.executionProvider },
    { maxBatchSize: config.maxBatchSize, maxDelayMs: config.maxDelayMs, maxQueue: config.maxQueue },
    metrics,
  );
  try {
    const moderator = new Moderator({
      classifier,
      languages: await LanguageDetector.load(config.languageDatabase),
      policies,
      cache: new DisabledResultCache(),
      decisions: new DiscardingDecisionSink(),
      metrics,
    });
    const outcome = await moderator.moderate({
      texts,
      language: flags.language,
      api: "classify",
      requestId: randomUUID(),
    });
    if (flags.json) {
      out(JSON.stringify(classifyResponse(outcome), null, 2));
      return;
    }
    for (const result of outcome.results) {
      const reasons = result.decision.reasons.map(describeReason).join("; ") || "default action";
      const scores = Object.entries(result.scores)
        .map(([label, score]) => `${label}=${score.toFixed(3)}`)
        .join(" ");
      out(`${result.decision.action}\t[${result.language}] ${texts[result.index]}`);
      out(`\treasons: ${reasons}`);
      out(`\tscores: ${scores}`);
    }
  } finally {
    await classifier.close();
    policies.close();
  }
}

async function migrate(env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<void> {
  const config = loadConfig(env);
  if (!config.databaseUrl) throw new CliExit(2, "DATABASE_URL is not set: nothing to migrate");
  const { migrateDecisionLog } = await import("./decisions/migrate.js");
  let applied: string[];
  try {
    ({ applied } = await migrateDecisionLog(config.databaseUrl));
  } catch (error) {
    // A refused connection can arrive as an AggregateError with an empty message.
    const { message, code } = error as NodeJS.ErrnoException;
    throw new CliExit(1, `migration failed: ${(message ?? "").split("\n")[0] || code || String(error)}`);
  }
  out(applied.length ? `applied ${applied.length} migration(s): ${applied.join(", ")}` : "schema up to date");
}

function s3Flags(command: Command): Command {
  return command
    .option("--s3-endpoint <url>", "S3-compatible endpoint (env VIGIL_S3_ENDPOINT); default: AWS")
    .option("--s3-region <region>", "S3 region (env VIGIL_S3_REGION, AWS_REGION)")
    .option("--s3-force-path-style", "path-style bucket addressing (env VIGIL_S3_FORCE_PATH_STYLE)");
}

export interface CliIo {
  env?: NodeJS.ProcessEnv;
  out?: (line: string) => void;
  err?: (text: string) => void;
}

/** Runs the CLI and returns the exit code (serve only returns on failure). */
export async function runCli(argv: string[], io: CliIo = {}): Promise<number> {
  const env = io.env ?? process.env;
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = io.err ?? ((text: string) => process.stderr.write(text));
  const program = new Command()
    .name("vigil-runtime")
    .description("Vigil content-moderation runtime: HTTP classification server and CLI.")
    .version(RUNTIME_VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => out(s.trimEnd()),
      writeErr: err,
      // One line per usage error, suggestion included.
      outputError: (s, write) => write(`${s.trimEnd().replace(/\n+/g, " ")}\n`),
    })
    .showSuggestionAfterError(true);
  // Subcommands that report their own failure (fetch-model) set this instead of throwing.
  let exitCode = 0;
  const modelDir = new Option("--model-dir <dir>", "model directory (env VIGIL_MODEL_DIR)");
  const policyFile = new Option("--policy-file <file>", "Policy YAML/JSON file (env VIGIL_POLICY_FILE)");

  program
    .command("serve")
    .description("serve the HTTP API (native, OpenAI-compatible, OIP v2), probes and metrics")
    .option("--port <port>", "listen port (env VIGIL_PORT, default 8080)")
    .addOption(modelDir)
    .addOption(policyFile)
    .action(async (flags: CommonFlags & { port?: string }) => {
      await serve(flags, env);
    });

  program
    .command("classify")
    .description("classify texts with the model and Policy, without starting a server")
    .argument("<text...>", "texts to classify")
    .option("--json", "print the /v1/classify response body")
    .option("--language <code>", "ISO 639 code; skips language detection")
    .addOption(modelDir)
    .addOption(policyFile)
    .action(async (texts: string[], flags: CommonFlags & { json?: boolean; language?: string }) => {
      await classify(texts, flags, env, out);
    });

  program
    .command("fetch-model")
    .description(
      "download an http(s) model artifact (archive, .onnx + sidecars, or directory URL), verify its sha256 and " +
        "the model checks, and place it at --dest; or check a mounted directory with --verify-dir. " +
        "Writes one JSON line to the termination log (docs/models.md)",
    )
    .option("--uri <url>", "https:// or http:// artifact URL")
    .option("--verify-dir <dir>", "check this directory instead of downloading (pvc://, OCI copies)")
    .option("--sha256 <hex>", "expected digest: the archive's, or the directory manifest's")
    .option("--dest <dir>", "where the verified model directory goes (replaced atomically)")
    .option("--timeout <seconds>", "bound on the whole fetch and verification (default 300)")
    .option("--max-bytes <bytes>", "bound on the download and on the unpacked size (default 2 GiB)")
    .option("--max-files <n>", "bound on archive entries (default 10000)")
    .option("--retries <n>", "retries on transient errors: connect errors, 5xx, 429 (default 5)")
    .option("--backoff-ms <ms>", "first retry delay, doubled each retry, Retry-After wins (default 1000)")
    .option("--auth-file <file>", "credentials file (a mounted Secret key): bearer token or user:password")
    .option("--auth-env <name>", "environment variable holding the credentials instead")
    .option("--auth-type <type>", "bearer or basic (default bearer)")
    .option(
      "--cache-dir <dir>",
      "shared model cache: take the model from <dir>/<sha256> when it verifies, else fill it (needs --sha256)",
    )
    .option("--termination-log <file>", "where the JSON outcome goes (default /dev/termination-log)")
    .action(async (flags: FetchModelFlags) => {
      const { runFetchModel, FetchUsageError } = await import("./artifacts/fetch-model-command.js");
      try {
        exitCode = await runFetchModel(flags, { env, out, err });
      } catch (error) {
        if (error instanceof FetchUsageError) throw new CliExit(2, error.message);
        throw error;
      }
    });

  program
    .command("migrate")
    .description("apply the decision log schema migrations to DATABASE_URL and exit (serve also does this)")
    .action(async () => {
      await migrate(env, out);
    });

  s3Flags(
    program
      .command("backup")
      .description("back up the decision log (DATABASE_URL), the service's resources and model manifest")
      .option("--to <destination>", "directory or s3://bucket/prefix (env VIGIL_BACKUP_DESTINATION)")
      .option(
        "--name-prefix <prefix>",
        "backup name prefix (env VIGIL_BACKUP_PREFIX, else VIGIL_SERVICE_NAME)",
      )
      .option(
        "--resources-dir <dir>",
        "the service's resources as YAML files (env VIGIL_BACKUP_RESOURCES_DIR)",
      )
      .option(
        "--retention <age>",
        "remove backups older than this, e.g. 30d, 4w, 6m (env VIGIL_BACKUP_RETENTION)",
      ),
  ).action(async (flags: BackupFlags) => {
    const { runBackup } = await import("./backup/backup-command.js");
    await runBackup(flags, env, out);
  });

  s3Flags(
    program
      .command("restore")
      .description("verify a backup and pg_restore its decision log into a database")
      .requiredOption("--from <backup>", "<directory>/<name> or s3://bucket/prefix/<name>")
      .option("--to <database-url>", "target database (env DATABASE_URL)")
      .option("--force", "restore into a database that already holds tables, replacing the decision log"),
  ).action(async (flags: BackupFlags & { from: string; to?: string; force?: boolean }) => {
    const { runRestore } = await import("./backup/backup-command.js");
    await runRestore(flags, env, out);
  });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its one-line message ("error: unknown option '--x'").
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
      return error.exitCode === 0 ? 0 : 2;
    }
    const exit = asCliExit(error);
    err(`vigil-runtime: ${exit.message}\n`);
    return exit.exitCode;
  }
}
