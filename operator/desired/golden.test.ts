// Golden files: the rendered children of the minimal, full and GPU fixtures, one YAML file per
// child under test/golden/<fixture>/. A diff here is a change to what the operator applies
// to clusters; review it, then regenerate with
//   UPDATE_GOLDEN=1 npx vitest run operator/desired
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildChildren, type DesiredObject } from "./children.js";
import { buildContext } from "./context.js";
import { FIXTURES, type FixtureName } from "./fixtures.js";
import type { ChildNames } from "./names.js";
import { toStableYaml } from "./serialize.js";
import { validateUpstream } from "./testing/upstream.js";

const GOLDEN_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../test/golden");
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";
const HEADER =
  "# Golden file: built by operator/desired from operator/desired/fixtures.ts. Do not edit;\n" +
  "# regenerate with `UPDATE_GOLDEN=1 npx vitest run operator/desired`.\n";

function fileName(object: DesiredObject, names: ChildNames): string {
  const kind = (object.kind ?? "unknown").toLowerCase();
  const name = object.metadata?.name;
  const role =
    object.kind === "Service" && name === names.previewService
      ? "-preview"
      : object.kind === "ConfigMap" && name === names.backupResourcesConfigMap
        ? "-backup-resources"
        : "";
  return `${kind}${role}.yaml`;
}

function render(name: FixtureName): Map<string, string> {
  const input = FIXTURES[name]();
  const { names } = buildContext(input);
  const files = new Map<string, string>();
  for (const child of buildChildren(input)) {
    const file = fileName(child, names);
    if (files.has(file)) throw new Error(`two children map to ${file}`);
    files.set(file, HEADER + toStableYaml(child));
  }
  return files;
}

describe.each(Object.keys(FIXTURES) as FixtureName[])("golden children of the %s fixture", (name) => {
  const dir = path.join(GOLDEN_ROOT, name);
  const rendered = render(name);

  it("validate against the upstream Kubernetes schemas", () => {
    for (const child of buildChildren(FIXTURES[name]())) expect(() => validateUpstream(child)).not.toThrow();
  });

  if (UPDATE) {
    it("are rewritten (UPDATE_GOLDEN=1)", () => {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      for (const [file, text] of rendered) writeFileSync(path.join(dir, file), text);
      expect(readdirSync(dir).sort()).toEqual([...rendered.keys()].sort());
    });
    return;
  }

  it("have exactly one golden file per child", () => {
    expect(readdirSync(dir).sort()).toEqual([...rendered.keys()].sort());
  });

  it.each([...rendered.keys()])("%s matches its golden file", (file) => {
    const golden = readFileSync(path.join(dir, file), "utf8");
    expect(rendered.get(file), `test/golden/${name}/${file} is stale; see the header to regenerate`).toBe(
      golden,
    );
  });
});
