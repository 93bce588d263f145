// One fuzz case: mutate a zoo file, compile it through the real pipeline, and list every broken
// promise: a throw, an internal error (E0900), a diagnostic that points outside its file, a render
// that throws, or (when the text still parses) a formatter that is not idempotent.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile, type CompileResult } from '../../../compiler/compile.js';
import type { Diagnostic } from '../../../compiler/diagnostics.js';
import type { CompileHost } from '../../../compiler/loader.js';
import { renderDiagnostic } from '../../../compiler/render.js';
import { formatText } from '../../../dsl/format.js';
import type { SourceFile, Span } from '../../../dsl/source.js';
import { nodeHost, zooModels, zooRoot } from '../../../compiler/node-host.js';
import { mutate, rng } from './mutate.js';
import { structured } from './structure.js';

/** A file to mutate and the model file to compile so that the mutated file is read. */
export interface Target {
  readonly mutated: string;
  readonly root: string;
}

/** Every zoo model, then every std file paired with a model that imports it. */
export function corpus(): Target[] {
  const models = zooModels().map(([, path]) => path);
  const texts = new Map(models.map((p) => [p, readFileSync(p, 'utf8')]));
  const std = readdirSync(join(zooRoot, 'std')).filter((f) => f.endsWith('.arch')).sort();
  const targets: Target[] = models.map((p) => ({ mutated: p, root: p }));
  for (const f of std) {
    const spec = `"std/${f.slice(0, -'.arch'.length)}"`;
    const user = models.find((p) => texts.get(p)!.includes(`use ${spec}`));
    if (user) targets.push({ mutated: join(zooRoot, 'std', f), root: user });
  }
  return targets;
}

export interface CaseResult {
  readonly index: number;
  readonly target: string;
  readonly kind: string;
  readonly ms: number;
  readonly codes: string[];
  readonly problems: string[];
}

/** Diagnostics about a whole file (line 0) are allowed for these codes only. */
const FILE_LEVEL = new Set(['E0100', 'E0208']);

/** token: mutate.ts (tokens, bytes, numbers); structure: structure.ts (nesting, chains, repeats, splices). */
export type FuzzMode = 'token' | 'structure';

export function caseText(seed: number, index: number, targets: readonly Target[], mode: FuzzMode = 'token'): { target: Target; kind: string; text: string } {
  const target = targets[index % targets.length]!;
  const r = rng((seed * 1_000_003 + index * 7_919) >>> 0);
  const text = readFileSync(target.mutated, 'utf8');
  const m = mode === 'token' ? mutate(text, r) : structured(text, readFileSync(targets[Math.floor(r() * targets.length)]!.mutated, 'utf8'), r);
  return { target, kind: m.kind, text: m.text };
}

export function runCase(seed: number, index: number, targets: readonly Target[], mode: FuzzMode = 'token'): CaseResult {
  const { target, kind, text } = caseText(seed, index, targets, mode);
  const host: CompileHost = {
    read: (path) => (path === target.mutated ? { text } : nodeHost.read(path)),
    resolve: nodeHost.resolve,
  };
  const problems: string[] = [];
  const start = performance.now();
  let result: CompileResult | undefined;
  try {
    result = compile(target.root, host);
  } catch (e) {
    problems.push(`compile threw: ${(e as Error)?.stack ?? e}`);
  }
  const ms = performance.now() - start;
  for (const d of result?.diagnostics ?? []) problems.push(...checkDiagnostic(d, result!.sources));
  if (result && result.ok === result.diagnostics.some((d) => d.severity === 'error')) problems.push('ok disagrees with the errors');
  problems.push(...checkFormat(text));
  return { index, target: target.mutated, kind, ms, codes: (result?.diagnostics ?? []).map((d) => d.code), problems };
}

function checkDiagnostic(d: Diagnostic, sources: ReadonlyMap<string, SourceFile>): string[] {
  const out: string[] = [];
  if (d.code === 'E0900') out.push(`internal error: ${d.message} ${d.notes.join(' | ')}`);
  const spans: [string, Span][] = [['primary', d.span], ...d.related.map((r): [string, Span] => [`related '${r.message}'`, r.span])];
  for (const [what, span] of spans) {
    const bad = checkSpan(span, sources, what === 'primary' && FILE_LEVEL.has(d.code));
    if (bad) out.push(`${d.code} ${what} span: ${bad} (${d.message})`);
  }
  try {
    renderDiagnostic(d, sources);
  } catch (e) {
    out.push(`${d.code}: rendering threw ${(e as Error).message}`);
  }
  return out;
}

/** Why a span does not point inside its file, or undefined when it does. */
function checkSpan(span: Span, sources: ReadonlyMap<string, SourceFile>, fileLevel: boolean): string | undefined {
  if (span.start.line === 0 && fileLevel) return undefined;
  const source = sources.get(span.file);
  if (!source) return `file ${span.file} was never read`;
  const { start, end } = span;
  if (start.offset < 0 || end.offset < start.offset || end.offset > source.text.length) return `offsets ${start.offset}..${end.offset} outside 0..${source.text.length}`;
  for (const p of [start, end]) {
    const expected = source.position(p.offset);
    // Agreeing with the file's own line table puts line and column inside the file.
    if (expected.line !== p.line || expected.col !== p.col) return `${p.line}:${p.col} is not where offset ${p.offset} is (${expected.line}:${expected.col})`;
  }
  return undefined;
}

function checkFormat(text: string): string[] {
  try {
    const once = formatText(text);
    if (once.text === undefined) return [];
    const twice = formatText(once.text);
    if (twice.text !== once.text) return ['fmt is not idempotent on this text'];
    return [];
  } catch (e) {
    return [`fmt threw: ${(e as Error)?.stack ?? e}`];
  }
}
