// archc's version, read once from package.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../compiler/node-host.js';

export const version: string = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version;
