// `vigil version`: the CLI's version and the API group/version it speaks.
import type { Command } from "commander";
import { API_VERSION } from "../../crds/index.js";
import packageJson from "../../package.json" with { type: "json" };

export function registerVersion(program: Command): void {
  program
    .command("version")
    .description("print the vigil version and the API version it speaks")
    .action(() => {
      process.stdout.write(`vigil ${packageJson.version} (${API_VERSION})\n`);
    });
}
