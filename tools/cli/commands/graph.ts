// archc graph <file|zoo-name> --format svg|dot|mermaid [--depth N] [-o FILE]: the model as a
// diagram. Layers deeper than N in the name tree (layer1.0.conv1 is at depth 3) are folded into
// their group; edges carry the shape that flows along them, nodes their parameter count. SVG is
// laid out with elkjs; DOT is for Graphviz users, Mermaid for Markdown that renders it (GitHub).
import { collapseGraph } from '../../../compiler/nesting.js';
import { displayPath } from '../../../compiler/node-host.js';
import { ioReason, writeFileAtomic } from '../../../runtime/persist/files.js';
import { parseArgs, UsageError } from '../args.js';
import { compileFlags, compileFlagsUsage, compileOptions, compileTarget, fail, isIoFailure, printDiagnostics, type Command } from './common.js';

const FORMATS = ['svg', 'dot', 'mermaid'] as const;

export const graph: Command = {
  usage: `archc graph <file|zoo-name> [--format svg|dot|mermaid] [--depth N] [-o FILE]
${compileFlagsUsage}
      --format F          svg (default; laid out with elkjs), dot (Graphviz) or mermaid
      --depth N           show the name tree down to depth N, folding deeper layers into their
                          block (default 1: resnet50 shows conv1, layer1..layer4, fc)
  -o, --output FILE       where to write (default: stdout)`,
  async run(argv) {
    const parsed = parseArgs(argv, { ...compileFlags, format: { type: 'string' }, depth: { type: 'string' }, output: { type: 'string', short: 'o' } });
    if (parsed.positionals.length !== 1) throw new UsageError('graph takes one file or zoo name');
    const format = (parsed.flags['format'] as string | undefined) ?? 'svg';
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be ${FORMATS.join(', ')}; got '${format}'`);
    const depth = depthFlag(parsed.flags['depth']) ?? 1;
    const result = compileTarget(parsed.positionals[0]!, compileOptions(parsed));
    if (!result.graph || !result.report || !result.ok) {
      printDiagnostics(result);
      return isIoFailure(result) ? 2 : 1;
    }
    const collapsed = collapseGraph(result.graph, result.report.layers, depth);
    let text: string;
    if (format === 'svg') text = await (await import('../../graph/svg.js')).toSvg(collapsed);
    else {
      const { toDot, toMermaid } = await import('../../graph/text-formats.js');
      text = format === 'dot' ? toDot(collapsed) : toMermaid(collapsed);
    }
    const output = parsed.flags['output'] as string | undefined;
    if (!output || output === '-') {
      process.stdout.write(text);
      return 0;
    }
    try {
      writeFileAtomic(output, text);
    } catch (e) {
      return fail(`cannot write ${displayPath(output)}: ${ioReason(e)}; nothing was written`);
    }
    process.stderr.write(`wrote ${displayPath(output)} (${collapsed.nodes.length} nodes, ${collapsed.edges.length} edges, ${format})\n`);
    return 0;
  },
};

/** --depth N: an integer from 1 (the shared parser of summary and graph). */
export function depthFlag(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (Number.isInteger(n) && n >= 1 && n <= 64) return n;
  throw new UsageError(`--depth must be an integer from 1 to 64; got '${value}'`);
}
