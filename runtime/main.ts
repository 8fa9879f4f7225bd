#!/usr/bin/env node
// Entry point of the `vigil-runtime` binary (see cli.ts for the commands).
import { runCli } from "./cli.js";

process.exitCode = await runCli(process.argv);
