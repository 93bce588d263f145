// archc playground [--port N] [--dir DIR]: serves the playground (dist/playground, built by
// `npm run build:playground`) and the zoo on 127.0.0.1 only. Static files, GET and HEAD only,
// no CORS headers; a path that leaves the folder — `..`, encoded dots or slashes, absolute paths,
// symlinks pointing out — is 404.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, sep } from 'node:path';
import { packageRoot, zooRoot } from '../../../compiler/node-host.js';
import { parseArgs, UsageError } from '../args.js';
import { fail, type Command } from './common.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.arch': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export const playgroundDir = join(packageRoot, 'dist', 'playground');

export const playground: Command = {
  usage: `archc playground [--port N] [--dir DIR]
      --port N            the port on 127.0.0.1 (default 0: a free one, printed)
      --dir DIR           serve this built playground folder (default: dist/playground)`,
  async run(argv) {
    const parsed = parseArgs(argv, { port: { type: 'string' }, dir: { type: 'string' } });
    if (parsed.positionals.length) throw new UsageError(`playground takes no files, got '${parsed.positionals[0]}'`);
    const port = Number(parsed.flags['port'] ?? 0);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port must be an integer from 0 to 65535; got '${parsed.flags['port']}'`);
    const dir = (parsed.flags['dir'] as string | undefined) ?? playgroundDir;
    if (!existsSync(join(dir, 'index.html'))) {
      // The npm package ships no playground (its sources and bundler are the repository's).
      const how = existsSync(join(packageRoot, 'playground')) ? "build it with 'npm run build:playground'" : "the npm package does not include it: build it in a clone of archc's repository with 'npm run build:playground'";
      return fail(`no playground in ${dir}: ${how}`);
    }
    const server = createServer(handler([{ prefix: '/zoo/', root: realpathSync(zooRoot) }, { prefix: '/', root: realpathSync(dir) }]));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    }).catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot listen on 127.0.0.1:${port}: ${e.code ?? e.message}`);
    });
    process.stdout.write(`archc playground: http://127.0.0.1:${(server.address() as AddressInfo).port}/ (Ctrl-C stops it)\n`);
    return new Promise<number>(() => {});
  },
};

/** The file a URL path names under one of the roots, or undefined (then the answer is 404). */
export function resolveStatic(urlPath: string, roots: readonly { prefix: string; root: string }[]): string | undefined {
  // Only plain path characters: no encoded anything, no backslashes, no NUL, no dot segments.
  if (!/^\/[A-Za-z0-9._\-/]*$/.test(urlPath) || urlPath.includes('//')) return undefined;
  const parts = urlPath.split('/').slice(1);
  if (parts.some((p) => p === '.' || p === '..' || p.startsWith('.'))) return undefined;
  const mount = roots.find((r) => urlPath.startsWith(r.prefix));
  if (!mount) return undefined;
  const rel = urlPath.slice(mount.prefix.length) || 'index.html';
  try {
    const real = realpathSync(join(mount.root, rel.endsWith('/') ? `${rel}index.html` : rel));
    // A symlink may point anywhere: the real path must still be inside the root.
    if (!real.startsWith(mount.root + sep) || !statSync(real).isFile()) return undefined;
    return real;
  } catch {
    return undefined;
  }
}

function handler(roots: readonly { prefix: string; root: string }[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const headers = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' };
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { ...headers, allow: 'GET, HEAD' }).end();
    const path = (req.url ?? '/').split('?')[0]!.split('#')[0]!;
    const file = resolveStatic(path, roots);
    if (!file) return void res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('not found\n');
    const body = readFileSync(file);
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
