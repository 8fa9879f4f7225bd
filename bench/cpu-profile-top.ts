/**
 * Where a CPU profile's time went, as a table (a reading aid for `bench:runtime --cpu-prof`):
 *   npx tsx bench/cpu-profile-top.ts <file.cpuprofile | dir> [--by function|file] [--top 40]
 *     [--timeline] [--from 5 --to 20]
 * Reads Chrome DevTools .cpuprofile files as `node --cpu-prof` writes them (one per thread; a
 * directory means each of its profiles, printed one after another, largest first). For each
 * function (or source file, or npm package) it prints the self time (samples in that function
 * itself) and the total time (samples with it anywhere on the stack), each as a share of the
 * thread's busy time: idle samples are left out, so the shares say where the work went, not how
 * busy the thread was. A profile covers the whole life of its thread, start-up (module loading,
 * model load) and shutdown included: --timeline prints its busy milliseconds per second, and
 * --from/--to (seconds since the thread started) keep only the window under load.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Seconds since the thread started: the samples to count. */
interface Window {
  from: number;
  to: number;
}

type Grouping = "function" | "file";

interface Row {
  key: string;
  selfUs: number;
  totalUs: number;
}

/** Node internals by module, npm code by package, the project's code by its path. */
function sourceOf(url: string): string {
  if (url === "") return "(native)";
  if (url.startsWith("node:")) return url;
  const file = url.startsWith("file://") ? new URL(url).pathname : url;
  const inModules = file.lastIndexOf("/node_modules/");
  if (inModules >= 0) {
    const [scope, name] = file.slice(inModules + "/node_modules/".length).split("/");
    return scope!.startsWith("@") ? `${scope}/${name}` : scope!;
  }
  // The project's own files, compiled (dist/) or not, by their path in the repository.
  const match = /\/((?:dist\/)?(?:runtime|crds|bench|operator|test)\/.*)$/.exec(file);
  return match?.[1] ?? file;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError("must be a number of seconds");
  return n;
}

function keyOf(frame: CallFrame, by: Grouping): string {
  // "(program)", "(garbage collector)", "(idle)": V8's own categories, kept as they are.
  if (frame.url === "" && frame.functionName.startsWith("(")) return frame.functionName;
  const source = sourceOf(frame.url);
  if (by === "file") return source;
  return `${frame.functionName || "(anonymous)"} ${source}:${frame.lineNumber + 1}`;
}

function summarise(profile: CpuProfile, by: Grouping, window: Window): { rows: Row[]; busyUs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const rows = new Map<string, Row>();
  const row = (key: string): Row => {
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { key, selfUs: 0, totalUs: 0 }));
    return r;
  };
  let busyUs = 0;
  let atUs = 0;
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time since the previous sample; it is charged to this one.
    const us = Math.max(0, profile.timeDeltas[i] ?? 0);
    atUs += us;
    if (atUs < window.from * 1e6 || atUs > window.to * 1e6) return;
    const leaf = byId.get(id)!;
    if (leaf.callFrame.functionName === "(idle)") return;
    busyUs += us;
    row(keyOf(leaf.callFrame, by)).selfUs += us;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const key = keyOf(byId.get(at)!.callFrame, by);
      if (key === "(root) (native):0" || seen.has(key)) continue;
      seen.add(key);
      row(key).totalUs += us;
    }
  });
  return { rows: [...rows.values()], busyUs };
}

/** Busy milliseconds in each second of the thread's life. */
function timeline(profile: CpuProfile): number[] {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id));
  const perSecond: number[] = [];
  let atUs = 0;
  profile.samples.forEach((id, i) => {
    const us = Math.max(0, profile.timeDeltas[i] ?? 0);
    atUs += us;
    const second = Math.floor(atUs / 1e6);
    while (perSecond.length <= second) perSecond.push(0);
    if (!idle.has(id)) perSecond[second]! += us / 1000;
  });
  return perSecond;
}

function profilesIn(target: string): string[] {
  if (!statSync(target).isDirectory()) return [target];
  return readdirSync(target)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => path.join(target, f))
    .sort((a, b) => statSync(b).size - statSync(a).size);
}

function main(): void {
  const program = new Command()
    .name("cpu-profile-top")
    .argument("<profile>", "a .cpuprofile file, or a directory of them")
    .addOption(
      new Option("--by <grouping>", "group samples by function or by source file/package")
        .choices(["function", "file"])
        .default("function"),
    )
    .option(
      "--top <n>",
      "rows per profile",
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
        return n;
      },
      40,
    )
    .option("--timeline", "print each profile's busy milliseconds per second first")
    .option("--from <seconds>", "count samples from this many seconds after the thread started", seconds, 0)
    .option(
      "--to <seconds>",
      "count samples until this many seconds after the thread started",
      seconds,
      Infinity,
    )
    .addOption(
      new Option("--sort <column>", "order rows by self or total time")
        .choices(["self", "total"])
        .default("self"),
    )
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
  program.parse();
  const [target] = program.args as [string];
  const options = program.opts<{
    by: Grouping;
    top: number;
    sort: "self" | "total";
    timeline?: boolean;
    from: number;
    to: number;
  }>();
  const { by, top, sort } = options;
  for (const file of profilesIn(target)) {
    const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
    const { rows, busyUs } = summarise(profile, by, options);
    const pct = (us: number) => `${((100 * us) / busyUs).toFixed(1)}%`.padStart(6);
    console.log(`\n${path.basename(file)}: ${(busyUs / 1e6).toFixed(2)} s busy (idle samples excluded)`);
    if (options.timeline) {
      console.log(
        `  busy ms per second: ${timeline(profile)
          .map((ms) => ms.toFixed(0))
          .join(" ")}`,
      );
    }
    console.log(`  ${"self ms".padStart(9)} ${"self".padStart(6)} ${"total".padStart(6)}  ${by}`);
    rows
      .sort((a, b) => (sort === "self" ? b.selfUs - a.selfUs : b.totalUs - a.totalUs))
      .slice(0, top)
      .forEach((r) =>
        console.log(
          `  ${(r.selfUs / 1000).toFixed(0).padStart(9)} ${pct(r.selfUs)} ${pct(r.totalUs)}  ${r.key}`,
        ),
      );
  }
}

main();
