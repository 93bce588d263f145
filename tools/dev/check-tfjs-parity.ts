// The tfjs lowering of every zoo model at its declared input size against its ONNX export in
// onnxruntime-node, with the same seeded weights and inputs: the largest difference of every output
// must stay within 1e-4 of the output's scale (max(1, max |onnxruntime|)). The tests do the same
// at reduced sizes (tests/runtime/parity.test.ts); this is the full-size run. With --train, each
// model takes one gradient step instead (loss mean(output²)): finite gradients for every trainable
// weight, the check that every zoo model trains on the backend (tests/runtime/train.test.ts steps a
// covering subset at small sizes).
//
//   node dist/tools/dev/check-tfjs-parity.js [model...] [--backend wasm|cpu|webgpu] [--batch N] [--train]
import * as tf from '@tensorflow/tfjs-core';
import ort from 'onnxruntime-node';
import { compile } from '../../compiler/compile.js';
import type { IrGraph } from '../../compiler/ir.js';
import { encodeOnnx } from '../../compiler/lower-onnx/encode.js';
import { lowerToOnnx } from '../../compiler/lower-onnx/lower.js';
import { initWeights } from '../../compiler/weights/init.js';
import { concatChunks } from '../../compiler/weights/safetensors.js';
import { BACKENDS, buildModel, describeBackend, fromTfjsLayout, setBackend, toTfjsLayout, type BackendName } from '../../runtime/index.js';
import { nodeHost, zooModels } from '../../compiler/node-host.js';

const TOLERANCE = 1e-4;

interface Outcome {
  readonly worst: number;
  readonly scale: number;
  readonly problems: string[];
}

async function checkOne(graph: IrGraph, batch: number): Promise<Outcome> {
  const weights = initWeights(graph, { seed: 7 });
  const inputs = graph.inputs.map((i) => {
    const dims = [batch, ...graph.nodes[i.node]!.shape];
    return { name: i.name, dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, k) => Math.sin((k + 1) * 12.9898)) };
  });
  const lowered = lowerToOnnx(graph, weights, { producerVersion: 'parity' });
  if (!lowered.model) return { worst: NaN, scale: NaN, problems: lowered.diagnostics.map((d) => `export: ${d.code} ${d.message}`) };
  const session = await ort.InferenceSession.create(concatChunks(encodeOnnx(lowered.model)));
  const reference = await session.run(Object.fromEntries(inputs.map((i) => [i.name, new ort.Tensor('float32', i.data, i.dims)])));
  await session.release();
  const built = buildModel(graph, { weights });
  if (!built.ok) return { worst: NaN, scale: NaN, problems: built.diagnostics.map((d) => `tfjs: ${d.code} ${d.message}`) };
  const { model, metadata } = built;
  const feeds = metadata.inputs.map((io, k) => tf.tidy(() => toTfjsLayout(tf.tensor(inputs[k]!.data, inputs[k]!.dims), io)));
  const raw = model.predict(feeds.length === 1 ? feeds[0]! : feeds);
  const outs = Array.isArray(raw) ? raw : [raw];
  let worst = 0;
  let scale = 0;
  const problems: string[] = [];
  for (const [k, io] of metadata.outputs.entries()) {
    const mine = tf.tidy(() => fromTfjsLayout(outs[k]!, io));
    const got = (await mine.data()) as Float32Array;
    const want = reference[io.name]!;
    if (mine.shape.join() !== want.dims.join()) problems.push(`${io.name}: shape [${mine.shape}] vs onnxruntime [${want.dims}]`);
    const expected = want.data as Float32Array;
    let outWorst = 0;
    let outScale = 0;
    for (let i = 0; i < expected.length; i++) {
      outWorst = Math.max(outWorst, Math.abs(got[i]! - expected[i]!));
      outScale = Math.max(outScale, Math.abs(expected[i]!));
    }
    if (!(outWorst <= TOLERANCE * Math.max(1, outScale))) problems.push(`${io.name}: max |Δ| ${outWorst.toExponential(2)} at scale ${outScale.toExponential(2)}`);
    worst = Math.max(worst, outWorst / Math.max(1, outScale));
    scale = Math.max(scale, outScale);
    mine.dispose();
  }
  tf.dispose([...feeds, ...outs]);
  model.dispose();
  return { worst, scale, problems };
}

/** One gradient step of mean(output²): the trainable weights whose gradient is not finite. */
async function trainOne(graph: IrGraph, batch: number): Promise<Outcome> {
  const built = buildModel(graph, { seed: 7 });
  if (!built.ok) return { worst: NaN, scale: NaN, problems: built.diagnostics.map((d) => `tfjs: ${d.code} ${d.message}`) };
  const { model, metadata } = built;
  const feeds = metadata.inputs.map((io) =>
    tf.tidy(() => {
      const dims = [batch, ...io.shape];
      const data = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, k) => Math.sin((k + 1) * 12.9898));
      return toTfjsLayout(tf.tensor(data, dims), io);
    }),
  );
  const { value, grads } = tf.variableGrads(() => {
    const outs = model.apply(feeds.length === 1 ? feeds[0]! : feeds, { training: true }) as tf.Tensor | tf.Tensor[];
    return tf.addN((Array.isArray(outs) ? outs : [outs]).map((o) => tf.mean(tf.square(o)))) as tf.Scalar;
  }, model.trainableWeights.map((w) => w.read() as tf.Variable));
  const problems: string[] = [];
  const loss = (await value.data())[0]!;
  if (!Number.isFinite(loss)) problems.push(`loss ${loss}`);
  for (const [name, g] of Object.entries(grads)) if ((await g.data()).some((v) => !Number.isFinite(v))) problems.push(`${name}: gradient not finite`);
  if (Object.keys(grads).length === 0) problems.push('no trainable weight received a gradient');
  tf.dispose([value, ...Object.values(grads), ...feeds]);
  model.dispose();
  return { worst: 0, scale: Math.abs(loss), problems };
}

async function main(argv: string[]): Promise<number> {
  const option = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const backend = (option('--backend') ?? 'wasm') as BackendName;
  const batch = Number(option('--batch') ?? 1);
  const values = new Set([option('--backend'), option('--batch')]);
  const names = argv.filter((a) => !a.startsWith('--') && !values.has(a));
  const training = argv.includes('--train');
  if (!BACKENDS.includes(backend) || !(batch >= 1)) {
    process.stderr.write(`check-tfjs-parity: --backend is one of ${BACKENDS.join(', ')}; --batch a positive integer\n`);
    return 2;
  }
  const zoo = zooModels();
  const unknown = names.filter((n) => !zoo.some(([name]) => name === n));
  if (unknown.length > 0) {
    process.stderr.write(`check-tfjs-parity: no zoo model ${unknown.join(', ')}\n`);
    return 2;
  }
  const report = await setBackend(backend);
  const what = training ? 'one gradient step each' : `tolerance ${TOLERANCE} × max(1, output scale)`;
  process.stdout.write(`tfjs backend: ${describeBackend(report)}; batch ${batch}; ${what}\n`);
  let failed = 0;
  for (const [name, path] of zoo.filter(([n]) => names.length === 0 || names.includes(n))) {
    const start = performance.now();
    const compiled = compile(path, nodeHost);
    const run = training ? trainOne : checkOne;
    const outcome = compiled.graph && compiled.ok ? await run(compiled.graph, batch) : { worst: NaN, scale: NaN, problems: ['does not compile'] };
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    failed += outcome.problems.length > 0 ? 1 : 0;
    const verdict = outcome.problems.length > 0 ? 'FAIL' : 'ok  ';
    const figures = training ? `loss ${outcome.scale.toExponential(2)}` : `relative max |Δ| ${outcome.worst.toExponential(1)}, output scale ${outcome.scale.toExponential(1)}`;
    process.stdout.write(`${verdict} ${name.padEnd(30)} ${figures}  (${seconds} s)\n${outcome.problems.map((p) => `     ${p}\n`).join('')}`);
  }
  const fine = training ? 'every model trains' : 'every model matches onnxruntime';
  process.stdout.write(failed ? `${failed} model(s) failed\n` : `${fine}\n`);
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => {
    process.stderr.write(`check-tfjs-parity failed: ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 1;
  },
);
