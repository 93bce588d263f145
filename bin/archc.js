#!/usr/bin/env node
// Entry point: runs the compiled CLI. Unexpected exceptions are archc bugs and say so.
import { statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// The compiling commands run for about a second: V8's optimizing compiler would spend more CPU
// compiling archc than it saves (a zoo-wide check: 2.2 s of CPU with it, 1.2 s without). Training,
// export and inference run long numeric loops and keep it.
// A large source (a generated model of thousands of statements) runs long enough for it to pay off.
// (An argument that cannot be a file, like `file.txt/x` or a 5,000-character name, is simply not large.)
const sizeOf = (arg) => {
  try {
    return statSync(arg, { throwIfNoEntry: false })?.size ?? 0;
  } catch {
    return 0;
  }
};
const large = process.argv.slice(3).some((arg) => sizeOf(arg) > 256 * 1024);
const unoptimized = ['check', 'summary', 'list', 'fmt', 'ops'].includes(process.argv[2] ?? '') && !large;
if (unoptimized) {
  setFlagsFromString('--no-opt');
  setFlagsFromString('--always-sparkplug');
  // A small file that expands into a large graph (hundreds of ResNets) gets it back mid-way.
  const { expansionHooks } = await import('../dist/compiler/expand/limits.js');
  expansionHooks.onLarge = () => setFlagsFromString('--opt');
}

// `archc list | head` closes the pipe early: that ends the output, it is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const { main } = await import('../dist/tools/cli/main.js');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`archc: internal error (a bug in archc, not in your input): ${error?.stack ?? error}\n`);
    process.exitCode = 70;
  },
);
