// Builds the extension: the client bundled into out/extension.js (esbuild; `vscode` stays external,
// VS Code provides it), then with --package a .vsix through @vscode/vsce. The language server
// itself is archc (`archc lsp`), installed with archc, not bundled here.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
await build({
  entryPoints: [join(here, 'src', 'extension.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  external: ['vscode'],
  outfile: join(here, 'out', 'extension.js'),
  minify: true,
  logLevel: 'warning',
});

if (process.argv.includes('--package')) {
  const { version } = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
  const vsix = join(here, `archc-vscode-${version}.vsix`);
  // --no-dependencies: the bundle holds the client; node_modules stays out of the package.
  const vsce = join(here, 'node_modules', '@vscode', 'vsce', 'vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', vsix], { cwd: here, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
