// archc in a real browser (Debian's chromium, headless, driven by puppeteer-core): the bundle from
// tools/dev/build-browser.ts compiles a zoo model with its std imports from memory, builds the tfjs
// model on wasm, cpu and (where chromium offers an adapter) webgpu, predicts what Node's runtime
// predicts, trains with tfjs-layers' fit, and saves and reloads the model with its custom layers.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { compile } from '../../../compiler/compile.js';
import { buildModel, setBackend } from '../../../runtime/index.js';
import { buildBrowser } from '../../../tools/dev/build-browser.js';
import { locate, nodeHost, packageRoot, zooRoot } from '../../../compiler/node-host.js';

const CHROMIUM = '/usr/bin/chromium';
const MODEL = 'resnet18';
const OPTIONS = { inputs: { image: [3, 32, 32] }, params: { classes: 5 } };
/** A deterministic NHWC input batch of 2. */
const input = () => Array.from({ length: 2 * 32 * 32 * 3 }, (_, k) => Math.sin(k * 0.37) * 0.8);

let server: Server;
let browser: Browser;
let page: Page;

const types: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm' };

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium`).toBe(true);
  await buildBrowser();
  // Serves the bundle and the page, nothing else.
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname));
    const allowed = path.startsWith('/dist/browser/') || path === '/tests/external/browser/page.html';
    const file = join(packageRoot, path);
    if (!allowed || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--enable-unsafe-webgpu'] });
  page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/tests/external/browser/page.html`);
  await page.waitForFunction(() => document.title === 'ready', { timeout: 60_000 }).catch(() => {
    throw new Error(`the bundle did not load in chromium: ${errors.join('; ') || 'no page error'}`);
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => server?.close(done));
});

/** The model's file and the std library, by the paths the memory host resolves. */
function sources(): Record<string, string> {
  const files: Record<string, string> = { [`zoo/${MODEL}.arch`]: readFileSync(locate(MODEL), 'utf8') };
  for (const name of readdirSync(join(zooRoot, 'std'))) files[`std/${name}`] = readFileSync(join(zooRoot, 'std', name), 'utf8');
  return files;
}

interface BrowserRun {
  readonly compiled: boolean;
  readonly runs: { backend: string; active: string; output?: number[]; note?: string }[];
  readonly losses: number[];
  readonly reloaded: number[];
}

/** Everything a page would do with archc, on each backend the browser offers. */
function runInBrowser(): Promise<BrowserRun> {
  return page.evaluate(
    async (files, name, options, x) => {
      type Archc = typeof import('../../../browser.js');
      const archc = (window as unknown as { archc: Archc }).archc;
      const { tf, tfl } = archc;
      const compiled = archc.compile(`zoo/${name}.arch`, archc.memoryHost(files), options);
      if (!compiled.ok || !compiled.graph) return { compiled: false, runs: [], losses: [], reloaded: [] };
      const graph = compiled.graph;
      const runs: BrowserRun['runs'] = [];
      for (const backend of ['wasm', 'cpu', 'webgpu'] as const) {
        const report = await archc.setBackend(backend);
        if (report.fellBack) {
          runs.push({ backend, active: report.active, note: report.notes.join('; ') });
          continue;
        }
        const built = archc.buildModel(graph, { seed: 0 });
        if (!built.ok) throw new Error(built.diagnostics.map((d) => d.message).join('\n'));
        const y = built.model.predict(tf.tensor4d(x, [2, 32, 32, 3])) as import('@tensorflow/tfjs-core').Tensor;
        runs.push({ backend, active: report.active, output: Array.from(await y.data()) });
        built.model.dispose();
      }
      // Training with tfjs-layers' own fit, and a save/reload round trip, on wasm.
      await archc.setBackend('wasm');
      const built = archc.buildModel(graph, { seed: 0 });
      if (!built.ok) throw new Error('no model');
      const model = built.model;
      const images = tf.tensor4d(x, [2, 32, 32, 3]);
      const labels = tf.cast(tf.oneHot(tf.tensor1d([1, 3], 'int32'), 5), 'float32');
      model.compile({ optimizer: tf.train.sgd(0.01), loss: (truth: import('@tensorflow/tfjs-core').Tensor, logits: import('@tensorflow/tfjs-core').Tensor) => tf.losses.softmaxCrossEntropy(truth, logits) });
      const history = await model.fit(images, labels, { epochs: 4, batchSize: 2, verbose: 0 });
      let saved: import('@tensorflow/tfjs-core').io.ModelArtifacts | undefined;
      await model.save(tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }));
      const reloaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
      const before = Array.from(await (model.predict(images) as import('@tensorflow/tfjs-core').Tensor).data());
      const after = Array.from(await (reloaded.predict(images) as import('@tensorflow/tfjs-core').Tensor).data());
      return { compiled: true, runs, losses: history.history['loss'] as number[], reloaded: after.map((v, i) => v - before[i]!) };
    },
    sources(),
    MODEL,
    OPTIONS,
    input(),
  );
}

/** Node's runtime on wasm with the same seeded weights and input. */
async function inNode(): Promise<number[]> {
  await setBackend('wasm');
  const graph = compile(locate(MODEL), nodeHost, OPTIONS).graph!;
  const built = buildModel(graph, { seed: 0 });
  if (!built.ok) throw new Error('no model');
  const y = built.model.predict(tf.tensor4d(input(), [2, 32, 32, 3])) as tf.Tensor;
  const out = Array.from(await y.data());
  built.model.dispose();
  return out;
}

describe(`${MODEL} in chromium`, () => {
  let result: BrowserRun;
  let expected: number[];
  beforeAll(async () => {
    result = await runInBrowser();
    expected = await inNode();
  }, 300_000);

  it('compiles from memory, std imports included', () => {
    expect(result.compiled).toBe(true);
  });

  it.each(['wasm', 'cpu'])('predicts on %s what Node predicts (within 1e-4)', (backend) => {
    const run = result.runs.find((r) => r.backend === backend)!;
    expect(run.active).toBe(backend);
    expect(run.output!.length).toBe(expected.length);
    expect(Math.max(...run.output!.map((v, i) => Math.abs(v - expected[i]!)))).toBeLessThan(1e-4);
  });

  it('predicts on webgpu what Node predicts, or reports why webgpu is unavailable', () => {
    const run = result.runs.find((r) => r.backend === 'webgpu')!;
    if (!run.output) {
      expect(run.note).toMatch(/webgpu/);
      return;
    }
    expect(run.active).toBe('webgpu');
    expect(Math.max(...run.output.map((v, i) => Math.abs(v - expected[i]!)))).toBeLessThan(1e-3);
  });

  it('trains with fit (the loss falls) and reloads from its saved artifacts with the same outputs', () => {
    expect(result.losses).toHaveLength(4);
    expect(result.losses.at(-1)!).toBeLessThan(result.losses[0]!);
    expect(Math.max(...result.reloaded.map(Math.abs))).toBe(0);
  });
});
