// A collapsed model graph as Graphviz DOT or as a Mermaid flowchart: nodes named with their op and
// parameter count, edges labelled with the shape that flows along them.
import type { CollapsedGraph } from '../../compiler/nesting.js';
import { nodeDetail, shapeLabel } from './labels.js';

const dotString = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export function toDot(g: CollapsedGraph): string {
  const lines = [
    `digraph ${dotString(g.model)} {`,
    '  rankdir=TB;',
    '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
    ...g.nodes.map((node) => `  ${node.id} [label=${dotString(`${node.name}\n${nodeDetail(node)}`)}${node.op === 'block' ? ', fillcolor="#dbe7f7"' : node.op === 'input' ? ', fillcolor="#e5f4e3"' : ''}];`),
    ...g.edges.map((e) => `  ${e.from} -> ${e.to} [label=${dotString(shapeLabel(e.shape))}];`),
    '}',
    '',
  ];
  return lines.join('\n');
}

/** Mermaid text: quotes and angle brackets become entities, the only escaping it understands. */
const mermaidText = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function toMermaid(g: CollapsedGraph): string {
  return [
    'flowchart TD',
    ...g.nodes.map((node) => `  ${node.id}${node.op === 'block' ? '[[' : '["'}${node.op === 'block' ? `"${mermaidText(node.name)}<br/>${mermaidText(nodeDetail(node))}"` : `${mermaidText(node.name)}<br/>${mermaidText(nodeDetail(node))}`}${node.op === 'block' ? ']]' : '"]'}`),
    ...g.edges.map((e) => `  ${e.from} -->|"${shapeLabel(e.shape)}"| ${e.to}`),
    '',
  ].join('\n');
}
