// archc explain <model> <image>... --method gradcam|saliency|integrated-gradients -o DIR: where in
// each image the network found the evidence for a class, as a heat map and the same over the image
// (runtime/explain). Every image is read and every map computed before the first file is written.
import { statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { elementCount, type IrGraph, type IrNode } from '../../../compiler/ir.js';
import { BASELINES, makeBaseline, type BaselineKind } from '../../../runtime/explain/baselines.js';
import { classOutput, defaultCamLayer, feeding, findLayer, imageInput, notSpatial } from '../../../runtime/explain/layers.js';
import type { Explanation } from '../../../runtime/explain/methods.js';
import { encodePng, heatPixels, overlayPixels } from '../../../runtime/explain/render.js';
import { writeFileAtomic } from '../../../runtime/persist/files.js';
import { parseArgs, UsageError } from '../args.js';
import type { Command } from './common.js';
import { modelInput, openTarget, readImages, report, targetFlags, targetUsage, type Target } from './explain-target.js';
import { backendFlagUsage, choiceFlag, numberFlag, startBackend } from './training-flags.js';

const METHODS = ['gradcam', 'saliency', 'integrated-gradients'] as const;
type Method = (typeof METHODS)[number];

export const explain: Command = {
  usage: `archc explain <run-folder|model> <image>... [--method M] [--layer NAME] [--class K] -o DIR
${targetUsage}
      --method M          gradcam (default), saliency or integrated-gradients
      --layer NAME        Grad-CAM's layer, as 'archc summary' names it (a block's name means its
                          last layer; default: the last spatial map before global pooling or flatten)
      --class K           the class to explain: its index or name (default: each image's top class)
      --baseline B        integrated gradients' start: zero (black, default), mean (the image's mean
                          colour) or blurred (the image under a Gaussian blur)
      --steps N           integrated gradients' steps along the path (default 64)
  -o, --out DIR           writes <image>-<method>.png (the heat map) and <image>-<method>-overlay.png
      --json              print [{file, class, className, score, probability, layer, heatmap, overlay,
                          completeness: {sum, difference} (integrated gradients), note}]
${backendFlagUsage}`,
  async run(argv) {
    const parsed = parseArgs(argv, {
      ...targetFlags,
      method: { type: 'string' },
      layer: { type: 'string' },
      class: { type: 'string' },
      baseline: { type: 'string' },
      steps: { type: 'string' },
      out: { type: 'string', short: 'o' },
      json: { type: 'boolean' },
    });
    const [target, ...files] = parsed.positionals;
    if (!target || files.length === 0) throw new UsageError('explain takes a run folder or model, then at least one image');
    const out = parsed.flags['out'] as string | undefined;
    if (!out) throw new UsageError('-o DIR is required: the folder the pictures go to');
    if (statSync(out, { throwIfNoEntry: false })?.isDirectory() === false) throw new UsageError(`-o ${out} is a file; explain writes a folder of pictures`);
    const method = choiceFlag(parsed, 'method', METHODS, 'gradcam');
    if (method !== 'gradcam' && parsed.flags['layer'] !== undefined) throw new UsageError(`--layer chooses Grad-CAM's layer; ${method} attributes to the input pixels`);
    if (method !== 'integrated-gradients') {
      for (const flag of ['baseline', 'steps']) if (parsed.flags[flag] !== undefined) throw new UsageError(`--${flag} is an option of --method integrated-gradients`);
    }
    const baseline = choiceFlag(parsed, 'baseline', BASELINES, 'zero');
    const steps = numberFlag(parsed, 'steps', { min: 1, max: 4096, integer: true }, 64);
    const json = parsed.flags['json'] === true;

    const opened = openTarget(target, parsed);
    if (!opened.ok) return report('explain', opened);
    const t = opened.value;
    const checked = checkModel(t, method, parsed.flags['layer'] as string | undefined);
    if (!checked.ok) return report('explain', checked);
    const { input, layer } = checked;
    // One output unit scores two classes (sigmoid or its logit): runtime/explain/gradients.ts.
    const units = t.graph.nodes[t.graph.outputs[0]!.node]!.shape[0]!;
    const classes = units === 1 ? 2 : units;
    const names = t.classes && t.classes.length === classes ? t.classes : undefined;
    const chosen = classFlag(parsed.flags['class'] as string | undefined, classes, names);
    const images = readImages(files, input);
    if (!images.ok) return report('explain', images);
    if (!t.weights) process.stderr.write('archc explain: no --weights: explaining the model\'s seeded initial weights (an untrained model)\n');

    const log = (line: string) => void (json ? undefined : process.stderr.write(`${line}\n`));
    await startBackend(parsed, log);
    const { buildExplainer, forward } = await import('../../../runtime/explain/gradients.js');
    const { gradCam, integratedGradients, saliency } = await import('../../../runtime/explain/methods.js');
    const built = buildExplainer(t.graph, t.weights, layer ? [layer] : [], t.output, t.origin);
    if (!built.ok) return report('explain', { ...built, status: 1 });
    const e = built.value;
    if (layer) log(`Grad-CAM at layer ${layer.name} (${layer.op}), [${layer.shape.join(', ')}]`);

    const outNames = stems(files);
    const results = images.value.map((image, i) => {
      const x = modelInput(image, t.normalize);
      const k = chosen ?? argmax(forward(e, x, 1).probabilities);
      let explained: Explanation;
      let note = '';
      let completeness: { sum: number; difference: number } | undefined;
      if (method === 'gradcam') {
        explained = gradCam(e, x, k);
        if (explained.map.values.every((v) => v === 0)) note = `Grad-CAM is zero everywhere: nothing at ${layer!.name} raises the score of class ${k}`;
      } else if (method === 'saliency') explained = saliency(e, x, k);
      else {
        const base = makeBaseline(baseline as BaselineKind, image.model.data, input.height, input.width, input.channels, t.normalize);
        const ig = integratedGradients(e, x, base, k, steps, pathBatch(t.graph));
        completeness = { sum: ig.attributions.reduce((a, b) => a + b, 0), difference: ig.score - ig.baselineScore };
        note = `attributions sum to ${fmt(completeness.sum)}; score(image) − score(baseline) = ${fmt(completeness.difference)} (${steps} steps, ${baseline} baseline)`;
        explained = ig;
      }
      const stem = outNames[i]!;
      return {
        file: image.file,
        class: k,
        ...(names ? { className: names[k] } : {}),
        score: explained.score,
        probability: explained.probabilities[k]!,
        ...(layer ? { layer: layer.name } : {}),
        heatmap: join(out, `${stem}-${method}.png`),
        overlay: join(out, `${stem}-${method}-overlay.png`),
        ...(completeness ? { completeness } : {}),
        ...(note ? { note } : {}),
        pictures: [heatPixels(explained.map, image.display.width, image.display.height), overlayPixels(image.display, explained.map)],
      };
    });
    try {
      for (const r of results) {
        writeFileAtomic(r.heatmap, encodePng(r.pictures[0]!), { createFolders: true });
        writeFileAtomic(r.overlay, encodePng(r.pictures[1]!), { createFolders: true });
      }
    } catch (err) {
      return report('explain', { message: `cannot write to ${out}: ${(err as Error).message}`, status: 2 });
    }
    if (json) process.stdout.write(`${JSON.stringify(results.map(({ pictures, ...r }) => r), null, 2)}\n`);
    else {
      for (const r of results) {
        const name = r.className !== undefined ? ` (${r.className})` : '';
        process.stdout.write(`${r.file}: class ${r.class}${name}, score ${fmt(r.score)}, probability ${fmt(r.probability)} → ${r.heatmap}, ${r.overlay}\n`);
        if (r.note) process.stdout.write(`  ${r.note}\n`);
      }
    }
    return 0;
  },
};

type Checked = { ok: true; input: { channels: 1 | 3; height: number; width: number }; layer?: IrNode } | ({ ok: false; status: 1 | 2; message: string; hint?: string });

/** The model must take one image and output class scores; Grad-CAM's layer must hold a spatial map. */
function checkModel(t: Target, method: Method, layerName: string | undefined): Checked {
  const label = method === 'gradcam' ? 'Grad-CAM' : method === 'saliency' ? 'saliency' : 'integrated gradients';
  const output = classOutput(t.graph, label);
  if (!output.ok) return { ...output, status: 1 };
  const input = imageInput(t.graph);
  if (!input.ok) return { ...input, status: 1 };
  if (method !== 'gradcam') return { ok: true, input: input.value };
  if (layerName === undefined) {
    const layer = defaultCamLayer(t.graph, output.value);
    return layer.ok ? { ok: true, input: input.value, layer: layer.value } : { ...layer, status: 1 };
  }
  const layer = findLayer(t.graph, layerName);
  if (!layer.ok) return { ...layer, status: 2 };
  const flat = notSpatial(t.graph, layer.value, 'Grad-CAM');
  if (flat) return { ...flat, status: 2 };
  if (!feeding(t.graph, output.value).has(layer.value.id)) {
    return { ok: false, status: 2, message: `layer '${layer.value.name}' does not feed the class scores (output '${t.graph.outputs[0]!.name}'): its Grad-CAM would be zero` };
  }
  return { ok: true, input: input.value, layer: layer.value };
}

/** --class as an index or a class name; undefined: each image's top class. */
function classFlag(raw: string | undefined, count: number, names: readonly string[] | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const byName = names?.indexOf(raw) ?? -1;
  if (byName >= 0) return byName;
  const k = Number(raw);
  if (raw.trim() !== '' && Number.isInteger(k) && k >= 0 && k < count) return k;
  const known = names ? `a class name (${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}) or ` : '';
  throw new UsageError(`--class needs ${known}a class index from 0 to ${count - 1}, got '${raw}'`);
}

/**
 * Path points per batch for integrated gradients: 16, fewer when the activations of a batch (kept
 * for the backward pass, about twice the forward's) would pass 1 GiB (ResNet-50 at 224×224: 3).
 */
function pathBatch(graph: IrGraph): number {
  const perSample = graph.nodes.reduce((bytes, n) => bytes + 4 * elementCount(n.shape), 0);
  return Math.max(1, Math.min(16, Math.floor(2 ** 30 / (2 * perSample))));
}

const argmax = (values: Float32Array): number => values.reduce((best, v, i) => (v > values[best]! ? i : best), 0);

const fmt = (v: number): string => (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(3));

/** Output names from the image names, numbered where two images share one (a/x.png, b/x.png). */
function stems(files: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return files.map((f) => {
    const stem = basename(f, extname(f));
    const n = (seen.get(stem) ?? 0) + 1;
    seen.set(stem, n);
    return n === 1 ? stem : `${stem}-${n}`;
  });
}
