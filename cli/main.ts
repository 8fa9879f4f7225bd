#!/usr/bin/env node
// `vigil`: the operator's command line for people on call. Every failure is one line on
// stderr and a non-zero exit, never a stack trace.
import { CommanderError } from "commander";
import { errorMessage } from "../operator/core/errors.js";
import { buildProgram } from "./program.js";

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    if (err instanceof CommanderError) process.exit(err.exitCode || 1);
    process.stderr.write(`vigil: ${errorMessage(err)}\n`);
    process.exit(1);
  });
