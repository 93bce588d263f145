// archc import model.onnx -o model.arch [--weights-out model.safetensors] [--allow-partial]:
// an ONNX file as readable .arch text (import/), and its weights under archc's names. A bad file,
// an unsupported op or an unwritable path writes nothing; both files are written whole or not at all.
import { readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { importOnnx } from '../../../import/index.js';
import { safetensorsChunks } from '../../../compiler/weights/safetensors.js';
import { displayPath, stdLibrary } from '../../../compiler/node-host.js';
import { ioReason, writeFileAtomic } from '../../../runtime/persist/files.js';
import { parseArgs, UsageError } from '../args.js';
import { version } from '../version.js';
import type { Command } from './common.js';

export const importCommand: Command = {
  usage: `archc import <model.onnx> -o <model.arch> [--weights-out <model.safetensors>] [--allow-partial]
  -o, --output PATH       the .arch file to write (- for stdout)
      --weights-out PATH  also write the weights as safetensors, named as the .arch file names them
      --allow-partial     when some op is not supported, write the part before the first such node
      --input NAME=CxHxW  the per-sample size of an input whose ONNX dims are symbolic
      --model NAME        the model's name in the .arch file (default: from the file name)
      --flat              write every op call, without finding repeated blocks
      --no-std            write every block into the file, none as a call of archc's std library`,
  async run(argv) {
    const text = { type: 'string' } as const;
    const parsed = parseArgs(argv, {
      output: { ...text, short: 'o' },
      'weights-out': text,
      'allow-partial': { type: 'boolean' },
      flat: { type: 'boolean' },
      'no-std': { type: 'boolean' },
      input: { ...text, multiple: true },
      model: { ...text, short: 'm' },
    });
    if (parsed.positionals.length !== 1) throw new UsageError('import takes one ONNX file');
    const output = parsed.flags['output'] as string | undefined;
    if (!output) throw new UsageError('import needs -o PATH for the .arch file (- for stdout)');
    const source = parsed.positionals[0]!;
    const inputShapes: Record<string, number[]> = {};
    for (const kv of (parsed.flags['input'] as string[] | undefined) ?? []) {
      const [k, v] = kv.split('=', 2);
      const dims = v?.split(/[x,]/).map(Number);
      if (!k || !dims || dims.some((d) => !Number.isInteger(d) || d <= 0)) throw new UsageError(`--input needs NAME=CxHxW, got '${kv}'`);
      inputShapes[k] = dims;
    }
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(source);
    } catch (e) {
      return fail(`cannot read ${displayPath(source)}: ${ioReason(e).replace('no such directory', 'no such file')}`, 2);
    }
    const folder = dirname(source);
    const result = importOnnx(bytes, {
      sourceName: basename(source),
      modelName: parsed.flags['model'] as string | undefined,
      inputShapes,
      allowPartial: parsed.flags['allow-partial'] === true,
      blocks: parsed.flags['flat'] !== true,
      ...(parsed.flags['no-std'] === true ? {} : { library: stdLibrary() }),
      reuseBuffer: true,
      readExternal: (location) => {
        try {
          return readFileSync(join(folder, location));
        } catch (e) {
          return { error: ioReason(e).replace('no such directory', 'no such file') };
        }
      },
    });
    if (!result.ok) {
      for (const p of result.problems) process.stderr.write(`${displayPath(source)}: error: ${p.message}\n`);
      const unsupported = result.problems.filter((p) => p.unsupported);
      if (unsupported.length > 0) {
        process.stderr.write(`${unsupported.length} unsupported op type${unsupported.length === 1 ? '' : 's'}; --allow-partial imports the part before the first\n`);
      }
      return fail('nothing was written', result.badFile ? 2 : 1);
    }
    if (result.partial) process.stderr.write(`${displayPath(source)}: warning: ${result.partial}\n`);
    const weightsOut = parsed.flags['weights-out'] as string | undefined;
    // The weights first: if they cannot be written, the .arch file is not written either; if the
    // .arch file then fails, the new weights are removed again, so no half of a pair is left.
    let wroteWeights = false;
    try {
      if (weightsOut) writeFileAtomic(weightsOut, safetensorsChunks(result.weights, { source: basename(source), producer: `archc ${version} import` }));
      wroteWeights = weightsOut !== undefined;
      if (output === '-') process.stdout.write(result.text);
      else writeFileAtomic(output, result.text);
    } catch (e) {
      if (wroteWeights) rmSync(weightsOut!, { force: true });
      return fail(`cannot write ${displayPath(wroteWeights ? output : (weightsOut ?? output))}: ${ioReason(e)}; nothing was written`, 2);
    }
    const lines = result.text.split('\n').length - 1;
    if (output !== '-') process.stderr.write(`wrote ${displayPath(output)} (${lines} lines, ${result.params.toLocaleString('en')} parameters)${weightsOut ? ` and ${displayPath(weightsOut)}` : ''}\n`);
    return 0;
  },
};

function fail(message: string, code: number): number {
  process.stderr.write(`archc import: ${message}\n`);
  return code;
}
