// The `moderation-operator` command line: every flag, its default and its validation. Bad
// input ends the process with one line on stderr and exit code 1, never a stack trace.
import { existsSync, readFileSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { validateLeaderElectionTimings } from "./core/leaderelection.js";
import { parseBindAddress } from "./core/health-server.js";
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from "./core/logging.js";
import { DEFAULT_RUNTIME_IMAGE } from "./core/manager.js";

export interface OperatorOptions {
  /** Empty = all namespaces. */
  namespaces: string[];
  leaderElect: boolean;
  leaderElectionNamespace: string;
  leaderElectionId: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  concurrency: number;
  /** Absent when the server is disabled ("0"). */
  metricsBindAddress?: string;
  runtimeImage: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  kubeconfig?: string;
}

const SERVICE_ACCOUNT_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go-style durations: "15s", "1m30s", "500ms", "2h". */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (!trimmed || parts.map((p) => p[0]).join("") !== trimmed) {
    throw new InvalidArgumentError(`"${text}" is not a duration (e.g. 15s, 1m30s, 500ms)`);
  }
  const ms = parts.reduce((sum, [, n, unit]) => sum + Number(n) * (DURATION_UNITS[unit ?? "s"] ?? 1000), 0);
  if (ms <= 0) throw new InvalidArgumentError(`"${text}" must be longer than zero`);
  return Math.round(ms);
}

function parsePositiveInteger(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`"${text}" is not a positive integer`);
  }
  return n;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function parseNamespaces(text: string): string[] {
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const bad = names.find((n) => !DNS_LABEL.test(n));
  if (bad !== undefined) throw new InvalidArgumentError(`"${bad}" is not a valid namespace name`);
  return [...new Set(names)];
}

function parseBoolean(text: string): boolean {
  if (/^(true|1|yes)$/i.test(text)) return true;
  if (/^(false|0|no)$/i.test(text)) return false;
  throw new InvalidArgumentError(`"${text}" is not true or false`);
}

function parseAddress(text: string): string {
  if (text === "0") return text;
  try {
    parseBindAddress(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return text;
}

function parseName(text: string): string {
  if (!DNS_LABEL.test(text)) throw new InvalidArgumentError(`"${text}" is not a valid name`);
  return text;
}

/** The namespace this pod runs in, for the default Lease namespace and the runtime NetworkPolicy. */
export function podNamespace(): string {
  if (process.env.POD_NAMESPACE) return process.env.POD_NAMESPACE;
  if (existsSync(SERVICE_ACCOUNT_NAMESPACE)) return readFileSync(SERVICE_ACCOUNT_NAMESPACE, "utf8").trim();
  return "default";
}

export function buildProgram(): Command {
  return new Command("moderation-operator")
    .description(
      "Vigil operator: reconciles ModerationService, ModelDeployment and Policy resources " +
        "(group moderation.vigil.dev) into running content-moderation services.",
    )
    .helpOption("-h, --help", "show this help and exit")
    .addOption(
      new Option("--namespaces <list>", "comma-separated namespaces to watch; empty watches all namespaces")
        .default([], "all")
        .argParser(parseNamespaces),
    )
    .addOption(
      new Option(
        "--leader-elect [enabled]",
        "elect a leader through a coordination.k8s.io Lease so that only one replica reconciles",
      )
        .default(false)
        .argParser(parseBoolean),
    )
    .addOption(
      new Option(
        "--leader-election-namespace <namespace>",
        "namespace of the leader-election Lease (default: $POD_NAMESPACE, the service account's namespace, or default)",
      ).argParser(parseName),
    )
    .addOption(
      new Option("--leader-election-id <name>", "name of the leader-election Lease")
        .default("vigil-operator-leader")
        .argParser(parseName),
    )
    .addOption(
      new Option(
        "--lease-duration <duration>",
        "how long non-leaders wait after the last renewal before taking over the Lease",
      )
        .default(15_000, "15s")
        .argParser(parseDuration),
    )
    .addOption(
      new Option(
        "--renew-deadline <duration>",
        "how long the leader keeps retrying to renew before it stops reconciling (< lease duration)",
      )
        .default(10_000, "10s")
        .argParser(parseDuration),
    )
    .addOption(
      new Option("--retry-period <duration>", "interval between attempts to acquire or renew the Lease")
        .default(2_000, "2s")
        .argParser(parseDuration),
    )
    .addOption(
      new Option("--concurrency <n>", "reconciles in flight at once, per controller")
        .default(2)
        .argParser(parsePositiveInteger),
    )
    .addOption(
      new Option(
        "--metrics-bind-address <address>",
        'address serving /metrics, /healthz and /readyz ("[host]:port"; "0" disables)',
      )
        .default(":8081")
        .argParser(parseAddress),
    )
    .addOption(
      new Option(
        "--runtime-image <image>",
        "runtime image for ModerationServices that do not set spec.runtime.image",
      )
        .default(DEFAULT_RUNTIME_IMAGE)
        // An env var, so that a kustomize `images:` entry can reach it (config/default/kustomizeconfig.yaml).
        .env("VIGIL_RUNTIME_IMAGE"),
    )
    .addOption(new Option("--log-level <level>", "minimum log level").choices(LOG_LEVELS).default("info"))
    .addOption(
      new Option("--log-format <format>", "json: one JSON object per line; text: human-readable")
        .choices(LOG_FORMATS)
        .default("json"),
    )
    .addOption(
      new Option(
        "--kubeconfig <path>",
        "kubeconfig file (default: in-cluster config, else $KUBECONFIG or ~/.kube/config)",
      ),
    )
    .showSuggestionAfterError(true)
    .allowExcessArguments(false);
}

interface RawOptions {
  namespaces: string[];
  leaderElect: boolean;
  leaderElectionNamespace?: string;
  leaderElectionId: string;
  leaseDuration: number;
  renewDeadline: number;
  retryPeriod: number;
  concurrency: number;
  metricsBindAddress: string;
  runtimeImage: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  kubeconfig?: string;
}

/**
 * Parses `argv` (process.argv layout). On --help it prints and exits 0; on a bad flag it
 * prints one line and exits 1 (commander's behaviour, kept for cross-flag checks too).
 */
export function parseOperatorOptions(argv: readonly string[]): OperatorOptions {
  const program = buildProgram();
  program.parse([...argv]);
  const raw = program.opts<RawOptions>();
  try {
    validateLeaderElectionTimings({
      leaseDurationMs: raw.leaseDuration,
      renewDeadlineMs: raw.renewDeadline,
      retryPeriodMs: raw.retryPeriod,
    });
  } catch (err) {
    program.error(`error: ${(err as Error).message} (--lease-duration, --renew-deadline, --retry-period)`);
  }
  if (!raw.runtimeImage.trim()) program.error("error: --runtime-image must not be empty");
  return {
    namespaces: raw.namespaces,
    leaderElect: raw.leaderElect,
    leaderElectionNamespace: raw.leaderElectionNamespace ?? podNamespace(),
    leaderElectionId: raw.leaderElectionId,
    leaseDurationMs: raw.leaseDuration,
    renewDeadlineMs: raw.renewDeadline,
    retryPeriodMs: raw.retryPeriod,
    concurrency: raw.concurrency,
    metricsBindAddress: raw.metricsBindAddress === "0" ? undefined : raw.metricsBindAddress,
    runtimeImage: raw.runtimeImage,
    logLevel: raw.logLevel,
    logFormat: raw.logFormat,
    kubeconfig: raw.kubeconfig,
  };
}
