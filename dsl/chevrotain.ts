// chevrotain, loaded from its single-file bundle: the package entry point pulls in ~100 ES modules
// and takes about 0.5 s to import, the bundle about 50 ms — most of `archc check`'s start-up.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import type * as Chevrotain from 'chevrotain';

const entry = createRequire(import.meta.url).resolve('chevrotain');
const bundle = pathToFileURL(join(dirname(entry), '..', 'chevrotain.min.mjs')).href;

export const chevrotain: typeof Chevrotain = await import(bundle);
