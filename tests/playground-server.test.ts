// archc playground's server as an attacker meets it: it listens on 127.0.0.1 only, serves the
// playground folder and the zoo, and answers 404 to every path that would leave them — `..`,
// encoded dots and slashes, absolute paths, symlinks pointing out — with no CORS header.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../compiler/node-host.js';

const site = mkdtempSync(join(tmpdir(), 'archc-playground-'));
let server: ChildProcess;
let base: URL;

/** A raw GET: the path goes on the wire exactly as written (no client-side normalization). */
function get(path: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: base.hostname, port: base.port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>playground</title>');
  writeFileSync(join(site, 'app.js'), 'export {};');
  mkdirSync(join(site, 'sub'));
  writeFileSync(join(site, 'sub', 'ok.json'), '{}');
  writeFileSync(join(site, '.hidden'), 'secret');
  symlinkSync('/etc/passwd', join(site, 'passwd'));
  symlinkSync(packageRoot, join(site, 'root'));
  symlinkSync(join(site, 'app.js'), join(site, 'inside.js'));
  server = spawn(process.execPath, [join(packageRoot, 'bin', 'archc.js'), 'playground', '--port', '0', '--dir', site], { stdio: ['ignore', 'pipe', 'pipe'] });
  base = await new Promise<URL>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/[^\s]+/.exec(out);
      if (m) resolve(new URL(m[0]));
    });
    server.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
  });
});

afterAll(() => {
  server?.kill();
  rmSync(site, { recursive: true, force: true });
});

describe('archc playground server', () => {
  it('listens on the loopback address only', () => {
    expect(base.hostname).toBe('127.0.0.1');
  });

  it('serves the folder and the zoo, without CORS headers', async () => {
    const index = await get('/', 'GET', { origin: 'https://evil.example' });
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['access-control-allow-origin']).toBeUndefined();
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect((await get('/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get('/sub/ok.json')).status).toBe(200);
    expect((await get('/inside.js')).status).toBe(200); // a symlink that stays inside is fine
    const zoo = await get('/zoo/resnet/resnet50.arch');
    expect(zoo.status).toBe(200);
    expect(zoo.body).toContain('model resnet50');
    expect((await get('/zoo/std/resnet.arch')).status).toBe(200);
    expect((await get('/', 'HEAD')).status).toBe(200);
  });

  it.each([
    '/../package.json',
    '/sub/../../package.json',
    '/zoo/../package.json',
    '/zoo/../../package.json',
    '/%2e%2e/package.json',
    '/%2E%2E/%2E%2E/package.json',
    '/..%2fpackage.json',
    '/sub%2f..%2f..%2fpackage.json',
    '/%252e%252e/package.json',
    '/.%2e/package.json',
    '//etc/passwd',
    '/etc/passwd',
    'http://127.0.0.1/../package.json',
    '/\\..\\package.json',
    '/%00index.html',
    '/passwd',
    '/root/package.json',
    '/.hidden',
    '/missing.js',
    '/sub',
  ])('answers 404 to %s', async (path) => {
    const r = await get(path);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('root:');
    expect(r.body).not.toContain('"name": "archc"');
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await get('/', 'POST')).status).toBe(405);
    expect((await get('/', 'OPTIONS', { origin: 'https://evil.example', 'access-control-request-method': 'GET' })).status).toBe(405);
  });
});
