// Every `vigil` subcommand, one file each; add a new one here.
import type { Command } from "commander";
import { registerBackup } from "./backup.js";
import { registerBackups } from "./backups.js";
import { registerRender } from "./render.js";
import { registerRestore } from "./restore.js";
import { registerRolloutActions } from "./rollout-actions.js";
import { registerStatus } from "./status.js";
import { registerVersion } from "./version.js";

export const commands: ReadonlyArray<(program: Command) => void> = [
  registerVersion,
  registerStatus,
  registerRolloutActions,
  registerBackup,
  registerRestore,
  registerBackups,
  registerRender,
];
