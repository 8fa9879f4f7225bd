// Every `vigil` subcommand, one file each; add a new one here.
import type { Command } from "commander";
import { registerRender } from "./render.js";
import { registerVersion } from "./version.js";

export const commands: ReadonlyArray<(program: Command) => void> = [registerVersion, registerRender];
