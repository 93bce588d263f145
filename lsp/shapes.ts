// Which IR nodes a piece of source text produced. Every node keeps the span of its op call and the
// block call sites that led to it (innermost first), so a call span — an op call, or a block call
// further up a node's stack — finds the nodes it made, separately for each evaluation of the
// enclosing block (its "instance": the call sites above the span).
import type { Shape } from '../compiler/ir.js';
import type { NodeView as IrNode } from './compile-document.js';
import type { Span } from '../dsl/source.js';
import { spanKey } from './spans.js';

export interface Instance {
  /** The nodes this span made in one evaluation of its enclosing block, in graph order. */
  readonly nodes: IrNode[];
  /** Dotted name of that evaluation (`layer1.bottleneck2`), empty at model level. */
  readonly where: string;
}

export interface ShapeIndex {
  /** The evaluations of the call (or input statement) at this span. */
  instances(span: Span): readonly Instance[];
}

export function indexShapes(nodes: readonly IrNode[]): ShapeIndex {
  const bySpan = new Map<string, Map<string, Instance>>();
  for (const node of nodes) {
    const levels = [node.span, ...node.callStack];
    for (let k = 0; k < levels.length; k++) {
      const above = node.callStack.slice(k);
      const instanceKey = above.map(spanKey).join('|');
      let instances = bySpan.get(spanKey(levels[k]!));
      if (!instances) bySpan.set(spanKey(levels[k]!), (instances = new Map()));
      let instance = instances.get(instanceKey);
      if (!instance) {
        const segments = node.name.split('.');
        instances.set(instanceKey, (instance = { nodes: [], where: segments.length > above.length ? segments.slice(0, above.length).join('.') : '' }));
      }
      instance.nodes.push(node);
    }
  }
  return { instances: (span) => [...(bySpan.get(spanKey(span))?.values() ?? [])] };
}

/** The result of each evaluation: the last node made (a call's result is computed last). */
export function resultShapes(index: ShapeIndex, spans: readonly Span[]): { shape: Shape; where: string; node: IrNode }[] {
  const out: { shape: Shape; where: string; node: IrNode }[] = [];
  for (const span of spans) {
    for (const i of index.instances(span)) {
      const node = i.nodes.at(-1)!;
      out.push({ shape: node.shape, where: i.where, node });
    }
  }
  return out;
}

/** The same shapes in terms of the model's size variables (`[64, H/2, W/2]`) where it has them. */
export function symbolic<T extends { shape: Shape; node: IrNode }>(shapes: readonly T[]): (T & { shape: readonly (number | string)[] })[] {
  return shapes.map((s) => ({ ...s, shape: s.node.symbolic ?? s.shape }));
}

/** `H = 224, W = 224`: the sizes the concrete shapes are computed at. */
export function defaultSizes(models: readonly { sizes?: { variables: readonly { name: string; value: number }[] } }[]): string | undefined {
  const sizes = models.find((m) => m.sizes)?.sizes;
  return sizes?.variables.map((v) => `${v.name} = ${v.value}`).join(', ');
}

/** `[256, 56, 56]`, or the distinct shapes of several evaluations, at most `limit` of them. */
export function describeShapes(shapes: readonly { shape: readonly (number | string)[]; where: string }[], limit = 4): string | undefined {
  const distinct = [...new Set(shapes.map((s) => `[${s.shape.join(', ')}]`))];
  if (distinct.length === 0) return undefined;
  if (distinct.length === 1) return distinct[0];
  const shown = distinct.slice(0, limit).join(' | ');
  return distinct.length > limit ? `${shown} | … (${distinct.length} shapes)` : shown;
}
