// The run pane: the model of the editor built by archc's TensorFlow.js runtime (the browser bundle,
// loaded on first use), predicting on an uploaded image, training a small demo (playground/train.ts)
// and downloading ONNX, safetensors or the tfjs model. Until the demo trains it, the weights are the
// seeded initial ones (He/Glorot, as `archc export --weights init`): the classes are meaningless.
import { downloadAs, trainDemo, type Trained } from './train.js';

type Archc = typeof import('../browser.js');

let archc: Promise<Archc> | undefined;
let trained: Trained | undefined;

export function runPane(source: () => string, std: Record<string, string>): void {
  const $ = <E extends HTMLElement>(id: string) => document.getElementById(id) as E;
  const out = $('predictions');
  /** The runtime on the chosen backend, and the editor's model compiled. */
  const prepare = async () => {
    archc ??= import(new URL('./archc.js', import.meta.url).href) as Promise<Archc>;
    const a = await archc;
    const wanted = $<HTMLSelectElement>('backend').value as 'auto' | 'wasm' | 'cpu' | 'webgpu';
    const report = await a.setBackend(wanted === 'auto' ? ('gpu' in navigator ? 'webgpu' : 'wasm') : wanted);
    if (report.fellBack && wanted === 'auto') await a.setBackend('wasm');
    const active = a.tf.getBackend();
    $('backend-active').textContent = `active backend: ${active}`;
    const doc = '/playground/model.arch';
    const text = source();
    const compiled = a.compile(doc, a.memoryHost({ ...std, [doc]: text }));
    if (!compiled.ok || !compiled.graph) throw new Error('the model has errors');
    return { a, active, text, graph: compiled.graph, trained: trained?.text === text ? trained : undefined };
  };
  $('train').addEventListener('click', async () => {
    out.textContent = 'loading the runtime…';
    try {
      const { a, text, graph } = await prepare();
      const result = await trainDemo(a, graph, $<HTMLCanvasElement>('loss'), (s) => (out.textContent = s));
      trained = { text, model: result.model };
      out.textContent = `trained on ${a.tf.getBackend()}: loss ${result.losses[0]!.toFixed(3)} → ${result.losses.at(-1)!.toFixed(3)} over ${result.losses.length} batches; predict and the downloads now use these weights`;
    } catch (e) {
      out.textContent = `cannot train: ${e instanceof Error ? e.message : String(e)}`;
    }
  });
  for (const format of ['onnx', 'safetensors', 'tfjs'] as const) {
    $(`download-${format}`).addEventListener('click', async () => {
      try {
        const { a, graph, trained: current } = await prepare();
        out.textContent = `downloaded ${await downloadAs(format, a, graph, current)} (${current ? 'trained' : 'seeded initial'} weights)`;
      } catch (e) {
        out.textContent = `cannot download: ${e instanceof Error ? e.message : String(e)}`;
      }
    });
  }
  $('predict').addEventListener('click', async () => {
    out.textContent = 'loading the runtime…';
    try {
      const { a, active, graph, trained: current } = await prepare();
      const compiled = { graph };
      const inputNode = compiled.graph.nodes[compiled.graph.inputs[0]!.node]!;
      const [c, h, w] = inputNode.shape as number[];
      if (inputNode.shape.length !== 3 || (c !== 1 && c !== 3)) throw new Error(`predict takes an image input [1 or 3, H, W]; this model's input is [${inputNode.shape.join(', ')}]`);
      const file = $<HTMLInputElement>('image').files?.[0];
      if (!file) throw new Error('choose an image first');
      const bitmap = await createImageBitmap(file);
      const canvas = new OffscreenCanvas(w!, h!);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0, w!, h!);
      const pixels = ctx.getImageData(0, 0, w!, h!).data;
      const x = new Float32Array(h! * w! * c!);
      for (let i = 0; i < h! * w!; i++) {
        if (c === 1) x[i] = (pixels[4 * i]! + pixels[4 * i + 1]! + pixels[4 * i + 2]!) / (3 * 255);
        else for (let k = 0; k < 3; k++) x[3 * i + k] = pixels[4 * i + k]! / 255;
      }
      out.textContent = `building ${compiled.graph.model} on ${active}…`;
      const built = current ? { ok: true as const, model: current.model } : a.buildModel(compiled.graph, { seed: 0 });
      if (!built.ok) throw new Error(built.diagnostics.map((d) => d.message).join('; '));
      const start = performance.now();
      const logits = built.model.predict(a.tf.tensor4d(x, [1, h!, w!, c!])) as import('@tensorflow/tfjs-core').Tensor;
      const probs = Array.from(await a.tf.softmax(a.tf.reshape(logits, [1, -1])).data());
      const ms = performance.now() - start;
      if (!current) built.model.dispose();
      const top = probs.map((p, i) => [i, p] as const).sort((p, q) => q[1] - p[1]).slice(0, 5);
      out.textContent = `backend: ${active} · ${ms.toFixed(0)} ms · ${current ? 'trained (demo) weights' : 'untrained (seeded) weights'}\n` + top.map(([i, p]) => `class ${i}: ${(100 * p).toFixed(2)}%`).join('\n');
    } catch (e) {
      out.textContent = `cannot predict: ${e instanceof Error ? e.message : String(e)}`;
    }
  });
}
