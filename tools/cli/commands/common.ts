// What the commands share: compiling a file or zoo name with the common flags, printing diagnostics.
import { compile, type CompileOptions, type CompileResult } from '../../../compiler/compile.js';
import { renderDiagnostic, summarizeCounts } from '../../../compiler/render.js';
import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { closestMatch, diagnostic } from '../../../compiler/diagnostics.js';
import { fileSpan } from '../../../compiler/loader.js';
import { displayPath, locate, nodeHost, zooModels } from '../../../compiler/node-host.js';
import { UsageError, type FlagSpec, type Parsed } from '../args.js';

export interface Command {
  readonly usage: string;
  run(argv: readonly string[]): Promise<number>;
}

/** Flags every compiling command accepts. */
export const compileFlags: Record<string, FlagSpec> = {
  model: { type: 'string', short: 'm' },
  set: { type: 'string', multiple: true },
  input: { type: 'string', multiple: true },
};

export const compileFlagsUsage = `  -m, --model NAME        which model of the file (default: the first)
      --set K=V           override a model parameter, e.g. --set classes=10
      --input NAME=CxHxW  override an input shape, e.g. --input image=3x160x160`;

export function compileOptions(parsed: Parsed): CompileOptions {
  const params: Record<string, number | string | boolean> = {};
  for (const kv of (parsed.flags['set'] as string[] | undefined) ?? []) {
    const [k, v] = kv.split('=', 2);
    if (!k || v === undefined) throw new UsageError(`--set needs NAME=VALUE, got '${kv}'`);
    params[k] = v === 'true' ? true : v === 'false' ? false : Number.isFinite(Number(v)) && v.trim() !== '' ? Number(v) : v;
  }
  const inputs: Record<string, number[]> = {};
  for (const kv of (parsed.flags['input'] as string[] | undefined) ?? []) {
    const [k, v] = kv.split('=', 2);
    const dims = v?.split(/[x,]/).map(Number);
    if (!k || !dims || dims.some((d) => !Number.isInteger(d) || d <= 0)) throw new UsageError(`--input needs NAME=CxHxW, got '${kv}'`);
    inputs[k] = dims;
  }
  return { model: parsed.flags['model'] as string | undefined, params, inputs };
}

export function compileTarget(target: string, options: CompileOptions): CompileResult {
  const path = locate(target);
  const bareName = !target.endsWith('.arch') && !target.includes('/') && !target.includes(sep);
  if (bareName && !existsSync(path)) {
    // Neither a file nor a zoo model: say both, and suggest the closest zoo name.
    const match = closestMatch(target, zooModels().map(([name]) => name));
    const message = `no file or zoo model named '${target}'${match ? `; did you mean '${match}'?` : ' (archc list shows the zoo)'}`;
    return { ok: false, diagnostics: [diagnostic('E0100', message, fileSpan(path))], sources: new Map() };
  }
  return compile(path, nodeHost, options);
}

export function printDiagnostics(result: CompileResult, stream: NodeJS.WritableStream = process.stderr): void {
  const color = (stream as NodeJS.WriteStream).isTTY === true && !process.env['NO_COLOR'];
  stream.write(diagnosticsText(result, color));
}

/** The diagnostics as printed: compiler-style, then the counts; empty when there are none. */
export function diagnosticsText(result: CompileResult, color: boolean): string {
  let out = '';
  for (const d of result.diagnostics) {
    // A file that cannot be read has no line to point at: say so plainly, like other tools do.
    if (d.code === 'E0100') out += `archc: ${d.message.split(d.span.file).join(displayPath(d.span.file))}\n`;
    else out += `${renderDiagnostic(d, result.sources, { relativeTo: displayPath, color })}\n\n`;
  }
  if (result.diagnostics.some((d) => d.code !== 'E0100')) out += `${summarizeCounts(result.diagnostics)}\n`;
  return out;
}

/** Whether a compile failed because the file could not be read (exit 2) rather than errors (1). */
export const isIoFailure = (r: CompileResult): boolean => r.diagnostics.some((d) => d.code === 'E0100');

export function fail(message: string): number {
  process.stderr.write(`archc: ${message}\n`);
  return 2;
}
