// The words on a model diagram, shared by the DOT, Mermaid and SVG renderers (and the playground).
import type { CollapsedNode } from '../../compiler/nesting.js';

const n = (x: number): string => x.toLocaleString('en-US');

/** `conv · 9,408 params` or `32 layers · 215,808 params`: learnable parameters (torchvision's count). */
export function nodeDetail(node: CollapsedNode): string {
  const what = node.op === 'block' ? `${node.layers} layers` : node.op;
  return node.params ? `${what} · ${n(node.params)} params` : what;
}

/** `64×56×56`: per sample, the batch left out. */
export const shapeLabel = (shape: readonly number[]): string => shape.join('×');
