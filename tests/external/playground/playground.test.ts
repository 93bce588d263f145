// The playground in Debian's chromium (headless, puppeteer-core), served by `archc playground`:
// it loads with resnet50, shows a diagnostic for a typed error, hovers a tensor with its (symbolic) shape,
// switches to another zoo model, predicts on an uploaded image with the wasm backend, trains the
// demo with a falling loss, and downloads ONNX (run by onnxruntime) and safetensors; and compiles
// files nested 1,000 levels deep on the browser's own stack (no larger one to move to), refusing
// 100,000 levels with a located E0104.
// PLAYGROUND_SCREENSHOT=1 also writes docs/images/playground.png (the README's picture).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../../compiler/node-host.js';
import { readSafetensors } from '../../../compiler/weights/safetensors.js';
import { buildPlayground } from '../../../tools/dev/build-playground.js';
import { nestedModel, type Nesting } from '../../../tools/dev/fuzz/nesting.js';

const CHROMIUM = '/usr/bin/chromium';
const scratch = mkdtempSync(join(tmpdir(), 'archc-playground-ui-'));
let server: ChildProcess;
let browser: Browser;
let page: Page;
const errors: string[] = [];

/** Offset of the `nth` occurrence of `needle` in the editor's text. */
const offsetOf = (needle: string, nth = 0): Promise<number> =>
  page.evaluate(
    (n, k) => {
      const text = (window as unknown as { playground: { view: { state: { doc: { toString(): string } } } } }).playground.view.state.doc.toString();
      let at = -1;
      for (let i = 0; i <= k; i++) at = text.indexOf(n, at + 1);
      return at;
    },
    needle,
    nth,
  );

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium`).toBe(true);
  await buildPlayground();
  server = spawn(process.execPath, [join(packageRoot, 'bin', 'archc.js'), 'playground', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    server.stdout!.on('data', (d: Buffer) => {
      const m = /http:\/\/[^\s]+/.exec(d.toString());
      if (m) resolve(m[0]);
    });
    server.once('exit', (code) => reject(new Error(`archc playground exited with ${code}`)));
  });
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => Number(document.body.dataset['compiled'] ?? 0) > 0, { timeout: 90_000 });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  server?.kill();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the playground in chromium', () => {
  it('loads resnet50 with its totals, summary and graph', async () => {
    expect(await page.$eval('#totals', (e) => e.textContent)).toContain('params 25,557,032');
    expect(await page.$eval('#summary', (e) => e.textContent)).toContain('layer1');
    expect(await page.$$eval('#graph g.node', (nodes) => nodes.map((n) => (n as SVGGElement).dataset['name']))).toContain('layer4');
    expect(await page.$eval('#status', (e) => e.textContent)).toBe('0 errors, 0 warnings');
  });

  it('shows the diagnostic of an error typed into the editor, and clears it when fixed', async () => {
    const at = (await offsetOf('|> relu')) + 3;
    await page.evaluate((from) => {
      const { view } = (window as unknown as { playground: { view: { dispatch(t: unknown): void; focus(): void } } }).playground;
      view.focus();
      view.dispatch({ selection: { anchor: from, head: from + 4 } });
    }, at);
    await page.keyboard.type('rleu');
    await page.waitForFunction(() => document.getElementById('status')!.textContent === '1 errors, 0 warnings', { timeout: 30_000 });
    await page.waitForSelector('.cm-lintRange-error', { timeout: 10_000 });
    expect(await page.$eval('.cm-lintRange-error', (e) => e.textContent)).toBe('rleu');
    await page.evaluate((from) => {
      const { view } = (window as unknown as { playground: { view: { dispatch(t: unknown): void } } }).playground;
      view.dispatch({ changes: { from, to: from + 4, insert: 'relu' } });
    }, at);
    await page.waitForFunction(() => document.getElementById('status')!.textContent === '0 errors, 0 warnings', { timeout: 30_000 });
  });

  it('hovers a tensor with its shape in the size variables, as the language server does', async () => {
    const at = await offsetOf('x = x |> stage(bottleneck, 64');
    const box = await page.evaluate((pos) => {
      const { view } = (window as unknown as { playground: { view: { coordsAtPos(p: number): { left: number; right: number; top: number; bottom: number } } } }).playground;
      const c = view.coordsAtPos(pos);
      return { x: (c.left + c.right) / 2 + 3, y: (c.top + c.bottom) / 2 };
    }, at);
    await page.mouse.move(box.x, box.y);
    await page.waitForSelector('.archc-hover', { timeout: 15_000 });
    // As in an editor: resnet50's input names its sizes, so the shape is symbolic, then at the defaults.
    const hover = await page.$eval('.archc-hover', (e) => e.textContent);
    expect(hover).toContain('x: [256, (H + 3)//4, (W + 3)//4]');
    expect(hover).toContain('[256, 56, 56] at H = 224, W = 224');
    if (process.env['PLAYGROUND_SCREENSHOT'] === '1') await page.screenshot({ path: join(packageRoot, 'docs', 'images', 'playground.png') });
    await page.mouse.move(5, 5);
  });

  it('compiles files nested 1,000 levels deep in the browser, and refuses 100,000 levels with a located E0104', async () => {
    const show = async (text: string) => {
      const before = Number(await page.evaluate(() => document.body.dataset['compiled']));
      await page.evaluate((t) => {
        const { view } = (window as unknown as { playground: { view: { state: { doc: { length: number } }; dispatch(t: unknown): void } } }).playground;
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: t } });
      }, text);
      await page.waitForFunction((n) => Number(document.body.dataset['compiled']) > n, { timeout: 60_000 }, before);
      return { status: await page.$eval('#status', (e) => e.textContent), totals: await page.$eval('#totals', (e) => e.textContent ?? '') };
    };
    const kinds: Nesting[] = ['parentheses', 'ifs', 'loops', 'calls', 'lists', 'stages', 'nots'];
    for (const kind of kinds) {
      const shown = await show(nestedModel(kind, 1000));
      expect(shown.status, kind).toBe('0 errors, 0 warnings');
      expect(shown.totals, kind).toContain('outputs: y [N, 8, 8, 8]'); // shapes inferred through the nesting
      // The language features walk the whole syntax tree too: a hover still answers.
      const box = await page.evaluate((pos) => {
        const { view } = (window as unknown as { playground: { view: { coordsAtPos(p: number): { left: number; right: number; top: number; bottom: number } } } }).playground;
        const c = view.coordsAtPos(pos);
        return { x: (c.left + c.right) / 2 + 3, y: (c.top + c.bottom) / 2 };
      }, (await offsetOf('input x')) + 'input '.length);
      await page.mouse.move(box.x, box.y);
      await page.waitForSelector('.archc-hover', { timeout: 15_000 });
      expect(await page.$eval('.archc-hover', (e) => e.textContent), kind).toContain('x: [3, 8, 8]');
      await page.mouse.move(5, 5);
      await page.waitForSelector('.archc-hover', { hidden: true, timeout: 15_000 });
    }
    expect((await show(nestedModel('parentheses', 100_000))).status).toBe('1 errors, 0 warnings');
    await page.waitForSelector('.cm-lintRange-error', { timeout: 10_000 });
    expect(await page.$eval('.cm-lintRange-error', (e) => e.textContent)).toBe('('); // located at the bracket past the limit
    expect(errors).toEqual([]);
    await show(readFileSync(join(packageRoot, 'zoo', 'resnet', 'resnet50.arch'), 'utf8'));
  }, 180_000);

  it('switches to another zoo model and predicts on an uploaded image with wasm', async () => {
    const before = Number(await page.evaluate(() => document.body.dataset['compiled']));
    await page.select('#model', 'lenet5');
    await page.waitForFunction((n) => Number(document.body.dataset['compiled']) > n && document.getElementById('totals')!.textContent!.includes('params 61,706'), { timeout: 30_000 }, before);
    const png = new PNG({ width: 40, height: 40 });
    for (let i = 0; i < png.data.length; i++) png.data[i] = i % 4 === 3 ? 255 : (i * 37) % 256;
    const image = join(scratch, 'digit.png');
    writeFileSync(image, PNG.sync.write(png));
    await page.select('#backend', 'wasm');
    const input = await page.$('#image');
    await (input as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(image);
    await page.click('#predict');
    await page.waitForFunction(() => /^backend: |^cannot predict/.test(document.getElementById('predictions')!.textContent ?? ''), { timeout: 90_000 });
    const out = await page.$eval('#predictions', (e) => e.textContent ?? '');
    expect(out).toMatch(/^backend: wasm · \d+ ms · untrained \(seeded\) weights\n/);
    const classes = out.split('\n').slice(1);
    expect(classes).toHaveLength(5);
    const percents = classes.map((l) => Number(/class \d+: ([\d.]+)%/.exec(l)![1]));
    expect(percents.every((p, i) => i === 0 || p <= percents[i - 1]!)).toBe(true);
    expect(await page.$eval('#backend-active', (e) => e.textContent)).toBe('active backend: wasm');
    expect(errors).toEqual([]);
  }, 120_000);

  it('trains the demo with a falling loss, then downloads ONNX that onnxruntime runs and safetensors', async () => {
    await page.click('#train');
    await page.waitForFunction(() => /^trained on |^cannot train/.test(document.getElementById('predictions')!.textContent ?? ''), { timeout: 120_000 });
    const out = await page.$eval('#predictions', (e) => e.textContent ?? '');
    const m = /^trained on wasm: loss ([\d.]+) → ([\d.]+) over (\d+) batches/.exec(out);
    expect(m, out).not.toBeNull();
    expect(Number(m![2])).toBeLessThan(Number(m![1]));
    const downloads = join(scratch, 'downloads');
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    await page.click('#download-onnx');
    await page.click('#download-safetensors');
    const onnxFile = join(downloads, 'lenet5.onnx');
    const stFile = join(downloads, 'lenet5.safetensors');
    for (let i = 0; i < 100 && !(existsSync(onnxFile) && existsSync(stFile)); i++) await new Promise((r) => setTimeout(r, 200));
    expect(await page.$eval('#predictions', (e) => e.textContent)).toContain('(trained weights)');
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(onnxFile);
    const result = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', new Float32Array(32 * 32), [1, 1, 32, 32]) });
    expect(result[session.outputNames[0]!]!.dims).toEqual([1, 10]);
    const weights = readSafetensors(new Uint8Array(readFileSync(stFile)));
    expect(weights.ok && weights.weights.size).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  }, 180_000);
});
