// npm run gen: writes every generated file from its TypeScript source.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { renderCrdFiles } from "../crds/manifests.js";
import { renderApiReference } from "../crds/reference.js";

const files = new Map([...renderCrdFiles(), ...renderApiReference()]);
for (const [path, content] of files) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  console.log(`wrote ${path} (${content.length} bytes)`);
}
