// Explanations attached to diagnostics: how a tensor got its size, where a name is assigned later,
// the closest known name, and the related notes of an op's error.
import type * as A from '../../dsl/ast.js';
import type { Span } from '../../dsl/source.js';
import { closestMatch, type Diagnostic, type RelatedSpan } from '../diagnostics.js';
import { formatShape, type IrNode } from '../ir.js';
import type { ReportOptions } from '../ops/op.js';
import { show, type Value } from '../values.js';
import type { Frame } from './frame.js';

/**
 * How a tensor got its spatial size, following first inputs back to the model input and keeping
 * only the steps that change it: `image 358×358 → maxpool1 179×179 → ... → up1.conv_transpose1 44×44`.
 */
export function sizeHistory(node: IrNode, nodes: readonly IrNode[]): string {
  const chain: IrNode[] = [];
  for (let n: IrNode | undefined = node; n; n = n.inputs.length ? nodes[n.inputs[0]!] : undefined) chain.push(n);
  chain.reverse();
  const steps: string[] = [];
  let last = '';
  for (const n of chain) {
    const size = n.shape.slice(1).join('×');
    if (size !== last) steps.push(`${n.name} ${size}`); // the op where the size changed
    last = size;
  }
  // Keep the start and the last few changes: deep backbones would otherwise print pages.
  const shown = steps.length > 9 ? [...steps.slice(0, 2), '…', ...steps.slice(-6)] : steps;
  return shown.join(' → ');
}

/** The related notes, notes and hint of an op's diagnostic: where its inputs came from, and how. */
export function opExplanation(o: ReportOptions | undefined, inputs: readonly { node: IrNode }[], nodes: readonly IrNode[]): Partial<Diagnostic> {
  const related: RelatedSpan[] = [];
  if (o?.input !== undefined) {
    const src = inputs[o.input]?.node;
    if (src) related.push({ span: src.span, message: `input ${o.input} ${formatShape(src.shape)} comes from this ${src.op}` });
  }
  const notes = [...(o?.notes ?? [])];
  if (o?.trace) {
    // Size histories explain spatial mismatches only; a channel mismatch needs none.
    const spatial = new Set(inputs.map(({ node }) => node.shape.slice(1).join())).size > 1;
    inputs.forEach(({ node }, k) => {
      related.push({ span: node.span, message: `input ${k} ${formatShape(node.shape)} comes from this ${node.op}` });
      if (spatial) notes.push(`input ${k}: ${sizeHistory(node, nodes)}`);
    });
  }
  return { related, notes, hint: o?.hint };
}

export function hintFor(name: string, candidates: Iterable<string>): string | undefined {
  const match = closestMatch(name, candidates);
  return match ? `did you mean '${match}'?` : undefined;
}

/** A value as an `expect` note shows it: integers with thousands separators. */
export function showFull(v: Value): string {
  if (v.kind === 'int') return v.value.toLocaleString('en-US');
  return show(v);
}

/** Where a name is assigned later in the block or model that uses it: a use-before-assignment. */
export function assignedLater(name: string, span: Span, frame: Frame): Span | undefined {
  const inside = (d: A.Decl) => d.span.file === span.file && d.span.start.offset <= span.start.offset && span.end.offset <= d.span.end.offset;
  const decl = frame.module.ast.decls.find(inside);
  return decl ? firstAssignments(decl).get(name) : undefined;
}

/** Every name a declaration assigns, with its first place: built once, since each unknown name asks. */
const assignments = new WeakMap<A.Decl, Map<string, Span>>();

function firstAssignments(decl: A.Decl): Map<string, Span> {
  let found = assignments.get(decl);
  if (!found) {
    found = new Map();
    collectAssigns(decl.body, found);
    assignments.set(decl, found);
  }
  return found;
}

/** The first place each name is assigned in a body, loops, frozen parts and if-branches included. */
function collectAssigns(body: readonly A.Stmt[], out: Map<string, Span>): void {
  const note = (name: string, span: Span) => {
    if (!out.has(name)) out.set(name, span);
  };
  for (const s of body) {
    if (s.kind === 'assign') for (const t of s.targets) note(t.name, t.span);
    if (s.kind === 'input' || s.kind === 'output') note(s.name, s.nameSpan);
    if (s.kind === 'for') note(s.variable, s.variableSpan);
    const value = s.kind === 'assign' || s.kind === 'output' ? s.value : s.kind === 'expr' ? s.expr : undefined;
    if (s.kind === 'for' || s.kind === 'frozen') collectAssigns(s.body, out);
    else if (value?.kind === 'if') {
      collectAssigns(value.then, out);
      if (value.else) collectAssigns(value.else, out);
    }
  }
}
