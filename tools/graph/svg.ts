// A collapsed model graph as a standalone SVG, laid out by elkjs (the Eclipse Layout Kernel's
// layered algorithm, the same library the playground draws with): top to bottom, edges routed
// orthogonally with the tensor shape as their label. No Graphviz needed.
import ElkBundled from 'elkjs/lib/elk.bundled.js';
import type { ELK as Elk, ELKConstructorArguments, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { CollapsedGraph, CollapsedNode } from '../../compiler/nesting.js';
import { nodeDetail, shapeLabel } from './labels.js';

const FONT = 12;
/** Average advance of Helvetica-like glyphs at 12 px; text is measured without a browser. */
const CHAR = 6.8;
const PAD = 10;

const textWidth = (s: string, size = FONT): number => Math.ceil(s.length * CHAR * (size / FONT));

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function fill(node: CollapsedNode): string {
  return node.op === 'block' ? '#dbe7f7' : node.op === 'input' ? '#e5f4e3' : '#f4f6fa';
}

/** The ELK layout of the graph: positions of nodes, edge routes and label places. */
export async function layoutGraph(g: CollapsedGraph): Promise<ElkNode> {
  // The bundled build is CommonJS whose export is the constructor itself.
  const ELK = ElkBundled as unknown as new (args?: ELKConstructorArguments) => Elk;
  const elk = new ELK();
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.nodeNode': '24',
      'elk.spacing.edgeLabel': '4',
      'elk.edgeLabels.inline': 'false',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    },
    children: g.nodes.map((node) => ({
      id: node.id,
      width: Math.max(textWidth(node.name), textWidth(nodeDetail(node), FONT - 2)) + 2 * PAD,
      height: 2 * FONT + 2 * PAD,
    })),
    edges: g.edges.map((e, i): ElkExtendedEdge => ({
      id: `e${i}`,
      sources: [e.from],
      targets: [e.to],
      labels: [{ text: shapeLabel(e.shape), width: textWidth(shapeLabel(e.shape), FONT - 2), height: FONT }],
    })),
  };
  return elk.layout(root);
}

export async function toSvg(g: CollapsedGraph): Promise<string> {
  const laid = await layoutGraph(g);
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const width = Math.ceil(laid.width ?? 0);
  const height = Math.ceil(laid.height ?? 0);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<title>${escape(g.model)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  for (const edge of laid.edges ?? []) {
    for (const s of edge.sections ?? []) {
      const points = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint].map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
      out.push(`<polyline points="${points}" fill="none" stroke="#555" stroke-width="1.2" marker-end="url(#arrow)"/>`);
    }
    for (const label of edge.labels ?? []) {
      out.push(`<text x="${((label.x ?? 0) + 1).toFixed(1)}" y="${((label.y ?? 0) + FONT - 2).toFixed(1)}" font-size="${FONT - 2}" fill="#333">${escape(label.text ?? '')}</text>`);
    }
  }
  for (const child of laid.children ?? []) {
    const node = byId.get(child.id)!;
    const x = child.x ?? 0;
    const y = child.y ?? 0;
    out.push(
      `<g class="node" data-name="${escape(node.name)}">`,
      `<rect x="${x}" y="${y}" width="${child.width}" height="${child.height}" rx="6" fill="${fill(node)}" stroke="#5b7bb4"/>`,
      `<text x="${x + PAD}" y="${y + PAD + FONT - 2}" font-size="${FONT}" font-weight="bold" fill="#111">${escape(node.name)}</text>`,
      `<text x="${x + PAD}" y="${y + PAD + 2 * FONT - 1}" font-size="${FONT - 2}" fill="#444">${escape(nodeDetail(node))}</text>`,
      '</g>',
    );
  }
  out.push('</svg>', '');
  return out.join('\n');
}
