// Builds dist/ once before the tests that run compiled code (the CLI subprocess, the fuzz workers),
// unless it is already newer than every source file (`npm test` has just built it).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const marker = join(root, 'dist', 'tools', 'cli', 'main.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const sources = ['dsl', 'compiler', 'import', 'runtime', 'engines', 'tools', 'lsp'].map((d) => join(root, d)).filter(existsSync);
  const newest = Math.max(statSync(join(root, 'index.ts')).mtimeMs, ...sources.map(newestSource));
  if (existsSync(marker) && statSync(marker).mtimeMs > newest) return;
  try {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { stdio: 'pipe' });
  } catch (e) {
    // Type errors still emit JavaScript; `npm test` runs tsc itself and fails on them.
    if (!existsSync(marker)) throw new Error(`the build failed:\n${(e as { stdout?: Buffer }).stdout ?? e}`);
  }
}
