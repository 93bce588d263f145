// chevrotain, loaded in Node from its single-file bundle: the package entry point pulls in ~100 ES
// modules and takes about 0.5 s to import, the bundle about 50 ms — most of `archc check`'s
// start-up. In a browser bundle (browser.ts) the package itself is bundled.
import type * as Chevrotain from 'chevrotain';

async function load(): Promise<typeof Chevrotain> {
  if (typeof process === 'undefined' || !process.versions?.node) return import('chevrotain');
  const [{ createRequire }, { pathToFileURL }, { dirname, join }] = await Promise.all([import('node:module'), import('node:url'), import('node:path')]);
  const entry = createRequire(import.meta.url).resolve('chevrotain');
  return import(pathToFileURL(join(dirname(entry), '..', 'chevrotain.min.mjs')).href) as Promise<typeof Chevrotain>;
}

export const chevrotain: typeof Chevrotain = await load();
