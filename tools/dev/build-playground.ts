// Builds the playground into dist/playground/: the page and its style, the editor (playground.js,
// CodeMirror), the language-services worker (worker.js: the compiler, lsp/ and elkjs), the zoo and
// std library as zoo.json, and the TensorFlow.js runtime bundle (archc.js with its .wasm files,
// tools/dev/build-browser.ts) that the run pane loads on first use. Any static host can serve the
// folder; `archc playground` serves it locally. usage: node dist/tools/dev/build-playground.js [OUTDIR]
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot, stdLibrary, zooModels, zooRoot } from '../../compiler/node-host.js';
import { buildBrowser } from './build-browser.js';

export const playgroundOutdir = join(packageRoot, 'dist', 'playground');

export async function buildPlayground(outdir = playgroundOutdir): Promise<string> {
  const { build } = await import('esbuild');
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: { playground: join(packageRoot, 'playground', 'main.ts'), worker: join(packageRoot, 'playground', 'worker.ts') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir,
    minify: true,
    // Reached only in Node, behind runtime checks (as in the browser bundle): Node's modules.
    external: ['node:*', 'webgpu'],
    logLevel: 'warning',
  });
  await buildBrowser(outdir);
  for (const f of ['index.html', 'style.css']) copyFileSync(join(packageRoot, 'playground', f), join(outdir, f));
  const models = Object.fromEntries(zooModels().map(([name, path]) => [name, { path: path.slice(zooRoot.length + 1), text: readFileSync(path, 'utf8') }]));
  writeFileSync(join(outdir, 'zoo.json'), JSON.stringify({ models, std: stdLibrary() }));
  return join(outdir, 'index.html');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildPlayground(process.argv[2] ? resolve(process.argv[2]) : undefined).then(
    (page) => process.stdout.write(`wrote ${page} and its scripts\n`),
    (e: Error) => {
      process.stderr.write(`archc: the playground build failed: ${e.message}\n`);
      process.exitCode = 1;
    },
  );
}
