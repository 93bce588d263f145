// lower-pytorch: a typed IR graph → a readable, self-contained PyTorch module (Python text that
// imports torch only). The module tree follows archc's dotted names, so `state_dict()` keys are
// archc's weight names; one class per block kind (scopes.ts, plan.ts, body.ts, classes.ts).
//
// The model's number parameters (`classes = 1000`) become constructor arguments when the caller
// passes `variants`: the same model compiled at another value of one parameter. A number that
// follows the parameter in every class is written as the parameter; a parameter that changes the
// structure (the number of blocks, say) or moves numbers in any other way stays fixed at its
// compiled value, and the header says so.
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import type { IrGraph } from '../ir.js';
import { lookupOp } from '../ops/registry.js';
import { fileSpan } from '../weights/check.js';
import { constructorLines, forwardBody, indent, sequentialExpr, type BodyContext } from './body.js';
import { className, resolveHoles, template, type Instance, type Param } from './classes.js';
import type { PytorchHelper } from './lowering.js';
import { Planner } from './plan.js';
import { buildScopes, type Scope, type ScopeTree } from './scopes.js';

export interface PytorchOptions {
  /** The model compiled at other values of its parameters, one parameter changed per graph. */
  readonly variants?: readonly { readonly param: string; readonly graph: IrGraph }[];
  /** How the header names the source file (default: the graph's file as it is). */
  readonly source?: string;
  /** The producer line of the header, e.g. `archc 0.4.0`. */
  readonly producer?: string;
  /** The weights file the header's loading example names (default `model.safetensors`). */
  readonly weights?: string;
}

export interface PytorchModule {
  /** The Python source; absent when there are errors. */
  readonly code?: string;
  /** The model's class name in the code (`Resnet18`). */
  readonly className: string;
  /** Constructor arguments of the model class with their defaults (`classes=1000`). */
  readonly params: readonly { readonly name: string; readonly default: number }[];
  /** Model parameters fixed at their compiled values (structure-changing, or not numbers). */
  readonly fixed: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

interface Analysis {
  readonly graph: IrGraph;
  readonly tree: ScopeTree;
  readonly planner: Planner;
  /** The varied parameter, for variants. */
  readonly param?: string;
}

interface Group {
  readonly id: number;
  readonly kind: string;
  /** The block name or scope segment the class is named after. */
  readonly base: string;
  readonly skeleton: string;
  readonly container: boolean;
  readonly instances: Instance<{ analysis: Analysis; scope: Scope }>[];
  resolved?: { text: string; params: readonly Param[] };
  name?: string;
}

/** Lowers a compiled graph to Python. Never throws for a model problem: diagnostics say why. */
export function lowerPytorch(graph: IrGraph, options: PytorchOptions = {}): PytorchModule {
  const main = analyse(graph);
  const modelName = className(graph.model);
  const numbers = graph.params ?? {};
  if (main.tree.conflicts.length > 0) {
    const diagnostics = main.tree.conflicts.map((c) =>
      diagnostic('E0804', `cannot write the weight names as nested PyTorch modules: ${c.message}`, c.node.span, {
        hint: 'give the op or the group another name',
      }),
    );
    return { className: modelName, params: [], fixed: Object.keys(numbers), diagnostics };
  }
  let variants = (options.variants ?? []).map((v) => analyse(v.graph, v.param)).filter((v) => v.tree.conflicts.length === 0);
  for (;;) {
    const attempt = emit([main, ...variants]);
    if (attempt.ok) {
      const params = attempt.params.map((name) => ({ name, default: numbers[name]! }));
      const fixed = Object.keys(numbers).filter((n) => !attempt.params.includes(n));
      const code = render(graph, attempt, params, fixed, options);
      return { code, className: attempt.modelClass, params, fixed, diagnostics: [] };
    }
    variants = variants.filter((v) => !attempt.bad.includes(v.param!));
  }
}

function analyse(graph: IrGraph, param?: string): Analysis {
  const tree = buildScopes(graph);
  const planner = new Planner(graph, tree);
  if (tree.conflicts.length === 0) planner.run();
  setHeights(tree.root);
  return { graph, tree, planner, param };
}

function setHeights(scope: Scope): number {
  let h = 0;
  for (const child of scope.children.values()) h = Math.max(h, setHeights(child) + 1);
  scope.height = h;
  return h;
}

type Emitted =
  | { ok: true; groups: Group[]; modelClass: string; params: string[]; helpers: PytorchHelper[] }
  | { ok: false; bad: string[] };

/** Renders every scope of every analysis bottom-up, grouping instances into classes. */
function emit(analyses: readonly Analysis[]): Emitted {
  const groups = new Map<string, Group>();
  const groupOf = new Map<Scope, { group: Group; index: number }>();
  const main = analyses[0]!;
  const helpers = new Map<string, PytorchHelper>();
  for (const a of analyses) {
    for (const node of a.graph.nodes) for (const h of lookupOp(node.op)?.pytorch.helpers ?? []) if (a.tree.moduleNodes.has(node.id)) helpers.set(h.name, h);
  }
  const contexts = new Map<Analysis, BodyContext>();
  for (const a of analyses) {
    const ctx: BodyContext = {
      graph: a.graph,
      tree: a.tree,
      planner: a.planner,
      childExpr: (child) => {
        if (child.mode === 'sequential') return sequentialExpr(child, ctx);
        const { group, index } = groupOf.get(child)!;
        const params = group.resolved!.params;
        return `\u0001${tag(group.id)}\u0001(${params.map((p) => `${p.name}=${p.values[index]}`).join(', ')})`;
      },
    };
    contexts.set(a, ctx);
  }
  const scopesByHeight = new Map<number, { analysis: Analysis; scope: Scope }[]>();
  for (const a of analyses) {
    const visit = (s: Scope) => {
      if (s.mode !== 'sequential' || s === a.tree.root) scopesByHeight.set(s.height, [...(scopesByHeight.get(s.height) ?? []), { analysis: a, scope: s }]);
      for (const c of s.children.values()) visit(c);
    };
    visit(a.tree.root);
  }
  const heights = [...scopesByHeight.keys()].sort((x, y) => x - y);
  let modelParams: string[] = [];
  for (const h of heights) {
    const fresh: Group[] = [];
    for (const entry of scopesByHeight.get(h)!) {
      const { analysis, scope } = entry;
      const isRoot = scope === analysis.tree.root;
      const ctx = contexts.get(analysis)!;
      const body = classBody(scope, ctx);
      const t = template(body);
      const base = isRoot ? analysis.graph.model : (scope.block?.block ?? (/^\d+$/.test(scope.segment) ? `${scope.parent?.segment ?? ''}_${scope.segment}` : scope.segment));
      const kind = isRoot ? 'model' : scope.block ? `block:${scope.block.block}` : `scope:${className(base)}`;
      const key = `${kind}\n${t.skeleton}`;
      let group = groups.get(key);
      if (!group) {
        group = { id: groups.size, kind, base, skeleton: t.skeleton, container: scope.mode === 'container', instances: [] };
        groups.set(key, group);
        fresh.push(group);
      }
      const named = isRoot ? (analysis.graph.params ?? {}) : (scope.block?.args ?? {});
      groupOf.set(scope, { group, index: group.instances.length });
      group.instances.push({ scope: entry, values: t.values, named });
    }
    for (const group of fresh) {
      const isModel = group.kind === 'model';
      const resolved = resolveHoles(group.skeleton, group.instances, !isModel);
      if (isModel) {
        if (resolved.unmatched.length > 0) {
          const bad = new Set<string>();
          for (const j of resolved.unmatched) {
            group.instances.forEach((inst) => {
              const param = inst.scope.analysis.param;
              if (param && inst.values[j] !== group.instances[0]!.values[j]) bad.add(param);
            });
          }
          return { ok: false, bad: [...bad] };
        }
        modelParams = resolved.params.map((p) => p.name);
      }
      group.resolved = resolved;
    }
  }
  // Every variant must have the same classes, as often as the model: else its parameter changes
  // the structure and stays fixed.
  const bad = new Set<string>();
  for (const group of groups.values()) {
    const count = (a: Analysis) => group.instances.filter((i) => i.scope.analysis === a).length;
    for (const a of analyses.slice(1)) if (count(a) !== count(main)) bad.add(a.param!);
  }
  if (bad.size > 0) return { ok: false, bad: [...bad] };
  const used = [...groups.values()].filter((g) => g.instances.some((i) => i.scope.analysis === main));
  const modelClass = nameClasses(used, [...helpers.keys()]);
  return { ok: true, groups: used, modelClass, params: modelParams, helpers: [...helpers.values()] };
}

/** The class text before holes are filled: __init__ lines and (unless a container) forward. */
function classBody(scope: Scope, ctx: BodyContext): string {
  const init = constructorLines(scope, ctx);
  const lines = ['def __init__(self\u0002):', '    super().__init__()', ...init.map((l) => indent(l))];
  if (scope.mode !== 'container' || scope === ctx.tree.root) {
    const fwd = forwardBody(scope, ctx);
    lines.push('', `def forward(self, ${fwd.params.join(', ')}):`, ...fwd.lines.map((l) => indent(l)));
  }
  return lines.join('\n');
}

/** Class names from block names; variants of one block get the member that sets them apart. */
function nameClasses(groups: Group[], helpers: readonly string[]): string {
  const taken = new Set<string>(helpers);
  const byKind = new Map<string, Group[]>();
  for (const g of groups) if (g.kind !== 'model') byKind.set(g.kind, [...(byKind.get(g.kind) ?? []), g]);
  const unique = (base: string): string => {
    let name = base;
    for (let k = 2; taken.has(name) || name === 'Sequential'; k++) name = `${base}${k}`;
    taken.add(name);
    return name;
  };
  for (const variants of byKind.values()) {
    const members = variants.map((g) => new Set(g.instances[0]!.scope.scope.members));
    variants.forEach((g, i) => {
      const own = [...members[i]!].find((m) => /^[A-Za-z_]+$/.test(m) && members.some((other) => !other.has(m)));
      g.name = unique(className(g.base) + (variants.length > 1 && own ? className(own) : ''));
    });
  }
  const model = groups.find((g) => g.kind === 'model')!;
  model.name = unique(className(model.base));
  return model.name;
}

function render(graph: IrGraph, emitted: Extract<Emitted, { ok: true }>, params: PytorchModule['params'], fixed: readonly string[], options: PytorchOptions): string {
  const byTag = new Map(emitted.groups.map((g) => [tag(g.id), g.name!]));
  const fill = (text: string) => text.replace(/\u0001([a-z]+)\u0001/g, (_, t: string) => byTag.get(t)!);
  const source = options.source ?? graph.file;
  const header = [
    `# ${graph.model}: a PyTorch module generated by ${options.producer ?? 'archc'} from ${source}.`,
    '#',
    "# Weight names are archc's, as state_dict() keys; load archc's weights with",
    `#     model = ${emitted.modelClass}()`,
    `#     model.load_state_dict(load_safetensors('${options.weights ?? 'model.safetensors'}'))`,
    '# Layout NCHW; call model.eval() for inference (batch norm uses its running statistics and',
    '# dropout is off), as archc does.',
    ...(fixed.length > 0 ? [`# Fixed at export: ${fixed.map((f) => `${f} = ${graph.params?.[f]}`).join(', ')} (recompile the .arch file to change).`] : []),
  ];
  const parts = [header.join('\n'), 'import json\nimport sys\n\nimport torch\nimport torch.nn.functional as F\nfrom torch import nn', LOADER];
  for (const h of emitted.helpers) parts.push(h.code);
  const model = emitted.groups.find((g) => g.kind === 'model')!;
  for (const g of emitted.groups) {
    if (g === model) continue;
    const signature = g.resolved!.params.map((p) => p.name).join(', ');
    const what = g.kind.startsWith('block:') ? `The \`${g.kind.slice(6)}\` block` : `The \`${g.base}\` group of modules`;
    const doc = g.container ? `${what} (its parent's forward calls its modules one by one).` : `${what}.`;
    parts.push(classText(g.name!, doc, fill(g.resolved!.text).replace('\u0002', signature ? `, ${signature}` : '')));
  }
  const signature = params.map((p) => `${p.name}=${p.default}`).join(', ');
  const doc = `${graph.model}, from ${source}.`;
  parts.push(classText(model.name!, doc, fill(model.resolved!.text).replace('\u0002', signature ? `, ${signature}` : '')));
  parts.push(mainGuard(graph, emitted.modelClass));
  return `${parts.join('\n\n\n')}\n`;
}

/** A group's placeholder in its parents' text: letters, so that it is never taken for a number. */
function tag(id: number): string {
  let out = '';
  for (let n = id + 1; n > 0; n = Math.floor((n - 1) / 26)) out = String.fromCharCode(97 + ((n - 1) % 26)) + out;
  return out;
}

function classText(name: string, doc: string, body: string): string {
  return `class ${name}(nn.Module):\n    """${doc}"""\n\n${indent(body)}`;
}

/** A safetensors reader needing torch alone: 8 bytes of header size, a JSON header, the data. */
const LOADER = `def load_safetensors(path):
    """Reads a .safetensors file (archc's and Hugging Face's weights format) into a state dict."""
    dtypes = {'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16, 'F64': torch.float64,
              'I64': torch.int64, 'I32': torch.int32, 'I16': torch.int16, 'I8': torch.int8, 'U8': torch.uint8,
              'BOOL': torch.bool}
    with open(path, 'rb') as f:
        size = int.from_bytes(f.read(8), 'little')
        header = json.loads(f.read(size))
        data = memoryview(bytearray(f.read()))
    tensors = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        start, end = info['data_offsets']
        dtype = dtypes[info['dtype']]
        flat = torch.frombuffer(data[start:end], dtype=dtype) if end > start else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(info['shape'])
    return tensors`;

/**
 * `python model.py [weights.safetensors]` builds the model, loads the weights when given, and runs
 * a random batch: a smoke test needing torch only.
 */
function mainGuard(graph: IrGraph, modelClass: string): string {
  const inputs = graph.inputs.map((i) => `torch.randn(2, ${graph.nodes[i.node]!.shape.join(', ')})`);
  return [
    "if __name__ == '__main__':",
    `    model = ${modelClass}().eval()`,
    '    if len(sys.argv) > 1:',
    '        model.load_state_dict(load_safetensors(sys.argv[1]))',
    '    with torch.no_grad():',
    `        outputs = model(${inputs.join(', ')})`,
    `    for output in outputs if isinstance(outputs, tuple) else (outputs,):`,
    '        print(tuple(output.shape))',
  ].join('\n');
}

