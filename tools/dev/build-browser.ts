// Bundles browser.ts with TensorFlow.js into dist/browser/: archc.js (an ES module), its chunks
// (webgpu and wasm load on demand) and tfjs's .wasm files beside them, so that the folder can be
// served as it is. usage: node dist/tools/dev/build-browser.js [OUTDIR]
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../compiler/node-host.js';

export const browserOutdir = join(packageRoot, 'dist', 'browser');

/** Builds the bundle into `outdir` and returns the path of its entry module. */
export async function buildBrowser(outdir = browserOutdir): Promise<string> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: { archc: join(packageRoot, 'browser.ts') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    splitting: true,
    outdir,
    // Reached only in Node (behind a runtime check): Node's modules and the Dawn binding.
    external: ['node:*', 'webgpu'],
    logLevel: 'warning',
  });
  const wasmDist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  mkdirSync(outdir, { recursive: true });
  for (const file of readdirSync(wasmDist).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDist, file), join(outdir, file));
  return join(outdir, 'archc.js');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildBrowser(process.argv[2] ? resolve(process.argv[2]) : undefined).then(
    (entry) => process.stdout.write(`wrote ${entry} and its chunks\n`),
    (e: Error) => {
      process.stderr.write(`archc: the browser bundle failed: ${e.message}\n`);
      process.exitCode = 1;
    },
  );
}
