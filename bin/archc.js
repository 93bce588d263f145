#!/usr/bin/env node
// Entry point: runs the compiled CLI. Unexpected exceptions are archc bugs and say so.
import { main } from '../dist/tools/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`archc: internal error (a bug in archc, not in your input): ${error?.stack ?? error}\n`);
    process.exitCode = 70;
  },
);
