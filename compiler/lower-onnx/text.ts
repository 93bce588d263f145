// The readable form of an exported model (`archc export --format onnx-text`), in the spirit of
// ONNX's textual syntax (onnx/docs/Syntax.md): a header, the graph signature, the initializers with
// their shapes (not their values), then one line per node with its output shape and source place.
import { attributeText, dimsOf, type Dims, type ModelProto, type ValueInfoProto } from './proto.js';

export function onnxText(model: ModelProto): string {
  const g = model.graph!;
  const shapes = new Map<string, Dims | undefined>();
  for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) shapes.set(v.name!, dimsOf(v));
  const typed = (v: ValueInfoProto) => `${typeName(v.type?.tensorType?.elemType ?? 1)}[${(dimsOf(v) ?? ['?']).join(',')}] ${v.name}`;
  const lines = [
    '<',
    `  ir_version: ${Number(model.irVersion)},`,
    `  opset_import: [${(model.opsetImport ?? []).map((o) => `"${o.domain ?? ''}" : ${Number(o.version)}`).join(', ')}],`,
    `  producer_name: "${model.producerName}",`,
    `  producer_version: "${model.producerVersion}"`,
    '>',
    `${g.name} (${(g.input ?? []).map(typed).join(', ')}) => (${(g.output ?? []).map(typed).join(', ')})`,
  ];
  const inits = g.initializer ?? [];
  if (inits.length > 0) {
    lines.push('  <');
    inits.forEach((t, i) => lines.push(`    float[${(t.dims ?? []).map(Number).join(',')}] ${t.name}${i < inits.length - 1 ? ',' : ''}`));
    lines.push('  >');
  }
  lines.push('{');
  for (const n of g.node ?? []) {
    const attrs = (n.attribute ?? []).map((a) => `${a.name} = ${attributeText(a)}`);
    const call = `${n.opType}${attrs.length ? ` <${attrs.join(', ')}>` : ''} (${(n.input ?? []).join(', ')})`;
    const out = (n.output ?? []).join(', ');
    const dims = shapes.get(n.output?.[0] ?? '');
    const named = n.name && n.name !== out ? ` ${n.name}:` : '';
    lines.push(`  ${out} = ${call}    #${named} [${dims ? dims.join(',') : '?'}] ${n.docString ?? ''}`.trimEnd());
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function typeName(elemType: number): string {
  return elemType === 7 ? 'int64' : 'float';
}
