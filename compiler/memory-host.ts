// A CompileHost over files held in memory, for browsers and editors. Paths are '/'-separated;
// imports resolve as in Node (tools/node-host.ts): relative to the importing file with `.arch`
// added, and `std/NAME` to the block library, expected under `std/NAME.arch` of the map.
import type { CompileHost } from './loader.js';

export function memoryHost(files: Readonly<Record<string, string>>): CompileHost {
  return {
    read: (path) => (Object.hasOwn(files, path) ? { text: files[path]! } : { error: 'no such file' }),
    resolve(from, spec) {
      const path = spec.startsWith('std/') ? spec : normalize(`${from.slice(0, from.lastIndexOf('/') + 1)}${spec}`);
      return path.endsWith('.arch') ? path : `${path}.arch`;
    },
  };
}

/** Removes `.` and `name/..` segments. */
function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '.') continue;
    if (part === '..' && out.length > 0 && out.at(-1) !== '..' && out.at(-1) !== '') out.pop();
    else out.push(part);
  }
  return out.join('/');
}
