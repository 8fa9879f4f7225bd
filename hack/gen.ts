// npm run gen: writes every generated file from its TypeScript source.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { renderGeneratedFiles } from "./generated-files.js";

for (const [path, content] of renderGeneratedFiles()) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  console.log(`wrote ${path} (${content.length} bytes)`);
}
