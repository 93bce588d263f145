// One Diagnostic type for every pass, and the catalogue of codes. A pass never throws for a user
// error: it returns diagnostics. Codes are stable; messages may improve.
import type { Span } from '../dsl/source.js';

export type Severity = 'error' | 'warning';

export interface RelatedSpan {
  readonly span: Span;
  readonly message: string;
  /** A block call site that led to the problem (file-level `allow` lines look through these). */
  readonly callSite?: boolean;
}

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  /** Where the problem is. Inside a block, this is the text inside the block. */
  readonly span: Span;
  /** Other places that explain it: the call sites of the enclosing blocks, the other operand, ... */
  readonly related: readonly RelatedSpan[];
  /** The arithmetic behind the message, one line each. */
  readonly notes: readonly string[];
  /** How to fix it. */
  readonly hint?: string;
}

/** The catalogue: every code archc can emit, with a one-line title. Docs are generated from it. */
export const catalogue = {
  // 01xx: reading and parsing
  E0100: 'the file cannot be read',
  E0101: 'unexpected character',
  E0102: 'syntax error',
  E0103: 'an imported file cannot be found',
  E0104: 'nested too deeply',
  // 02xx: names and arguments
  E0201: 'unknown name',
  E0202: 'wrong number of arguments',
  E0203: 'wrong argument type',
  E0204: 'unknown named argument',
  E0205: 'duplicate definition',
  E0206: 'missing required argument',
  E0207: 'value used the wrong way',
  E0208: 'no model to compile',
  E0209: 'name used before it is assigned',
  E0210: 'arguments that exclude each other',
  E0211: 'allow names no warning',
  // 03xx: shapes
  E0301: 'spatial size is zero or negative',
  E0302: 'operand shapes do not match',
  E0303: 'input rank is wrong for this op',
  E0304: 'groups do not divide the channels',
  E0305: 'attribute value out of range',
  E0306: 'dense input size mismatch',
  E0307: 'reshape changes the element count',
  E0308: 'input size breaks a condition the model derives',
  // 04xx: merges
  E0401: 'concat inputs differ outside the concat axis',
  // 05xx: checks written in the model
  E0501: 'expect failed',
  E0502: 'shape annotation failed',
  // 06xx: limits
  E0601: 'block expansion too deep',
  E0602: 'repetition count too large',
  E0603: 'graph too large',
  E0604: 'dimension overflows',
  E0605: 'division by zero',
  E0606: 'compilation stopped: it took longer than the time limit of the editor services',
  E0607: 'expansion too large: more evaluation steps or list items than the limit',
  // 07xx: weights files (compiler/weights)
  E0701: 'weights file is unreadable or malformed',
  E0702: 'weights file lacks a weight of the model',
  E0703: 'weights file has a tensor the model does not declare',
  E0704: 'weight shape differs from the model',
  // 08xx: export (compiler/lower-onnx)
  E0801: 'op has no faithful ONNX form',
  E0802: 'export option out of range',
  E0803: 'weights too large to materialize',
  E0804: 'weight names do not nest as PyTorch modules',
  // 085x: TensorFlow.js runtime (runtime/)
  E0850: 'op cannot be lowered to TensorFlow.js',
  // 09xx: compiler bugs (never the user's fault)
  E0900: 'internal compiler error',
  // warnings
  W0101: 'conv bias right before batch norm',
  W0102: 'TF-style same padding with stride > 1 pads asymmetrically',
  W0103: 'unused tensor',
  W0104: 'unused block parameter',
  W0105: 'pooling window larger than its input',
  W0106: 'exporting this op is approximate',
  W0107: 'an expect or shape annotation does not hold once --set/--input change the model',
  W0108: 'weights hold NaN or infinite values',
  W0109: 'weights larger than an ONNX file can hold',
  W0110: 'the ONNX export keeps fixed input sizes',
  W0111: 'the TensorFlow.js model keeps fixed input sizes',
} as const;

export type DiagnosticCode = keyof typeof catalogue;

export interface DiagnosticInit {
  readonly related?: readonly RelatedSpan[];
  readonly notes?: readonly string[];
  readonly hint?: string;
}

export function diagnostic(code: DiagnosticCode, message: string, span: Span, init: DiagnosticInit = {}): Diagnostic {
  return {
    code,
    severity: code.startsWith('W') ? 'warning' : 'error',
    message,
    span,
    related: init.related ?? [],
    notes: init.notes ?? [],
    hint: init.hint,
  };
}

export const hasErrors = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === 'error');

/** Orders diagnostics by file and position, errors and warnings interleaved as in the text. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort(
    (a, b) =>
      a.span.file.localeCompare(b.span.file) || a.span.start.offset - b.span.start.offset || a.code.localeCompare(b.code),
  );
}

/** The closest candidate by edit distance, if it is close enough to be a plausible typo. */
export function closestMatch(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance || (d === bestDistance && best !== undefined && c < best)) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

/** Optimal string alignment: insertions, deletions, substitutions and swaps of neighbours (rleu → relu). */
function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let above = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
    }
    before = above;
    above = row;
  }
  return above[b.length]!;
}
