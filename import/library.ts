// What archc import knows about the standard block library (zoo/std) to recognise its blocks in an
// imported model (import/std-calls.ts): each block's number parameters and, to rule most blocks out
// without compiling them, the ops it can call and the words its layer names can contain — both read
// from its text and from the std blocks it calls, transitively.
import type { BlockDecl } from '../dsl/ast.js';
import { parse } from '../dsl/parser.js';
import { SourceFile } from '../dsl/source.js';
import { lookupOp } from '../compiler/ops/registry.js';

/** The standard library's files by the path a `use` names them with: `std/mobilenet.arch` → text. */
export type Library = Readonly<Record<string, string>>;

export interface LibraryBlock {
  /** The `use` line's path: `std/mobilenet`. */
  readonly module: string;
  readonly name: string;
  /** The parameters after the tensor that have no default, in order: the call's positional arguments. */
  readonly required: readonly string[];
  /** The parameters with a default, and the default where it is a number. */
  readonly optional: readonly { readonly name: string; readonly default?: number }[];
  /** Ops the block may call (op names written in it or in the std blocks it calls). */
  readonly ops: ReadonlySet<string>;
  /**
   * Words its layer names may hold, digits dropped (`branch2` → `branch`): those of its string
   * literals and its identifiers (a layer without name= is named after its op or block).
   */
  readonly words: ReadonlySet<string>;
}

const indexed = new WeakMap<Library, readonly LibraryBlock[]>();

/** Every block of the library, in file and source order. Parsed once per library object. */
export function libraryBlocks(library: Library): readonly LibraryBlock[] {
  let blocks = indexed.get(library);
  if (!blocks) indexed.set(library, (blocks = index(library)));
  return blocks;
}

interface Scanned {
  readonly module: string;
  readonly decl: BlockDecl;
  readonly identifiers: Set<string>;
  readonly words: Set<string>;
}

function index(library: Library): LibraryBlock[] {
  const scanned: Scanned[] = [];
  for (const [path, text] of Object.entries(library).sort(([a], [b]) => a.localeCompare(b))) {
    const parsed = parse(new SourceFile(path, text));
    if (parsed.errors.length > 0) continue;
    for (const decl of parsed.file.decls) {
      if (decl.kind !== 'block') continue;
      const body = text.slice(decl.span.start.offset, decl.span.end.offset).replace(/\/\/.*$/gm, '');
      const words = new Set<string>();
      for (const m of body.matchAll(/"([^"\\]*)"/g)) for (const w of m[1]!.match(/[A-Za-z_]+/g) ?? []) words.add(w);
      const identifiers = new Set(body.replace(/"([^"\\]*)"/g, '""').match(/[A-Za-z_]\w*/g) ?? []);
      for (const id of identifiers) for (const w of nameWords(id)) words.add(w);
      scanned.push({ module: path.replace(/\.arch$/, ''), decl, identifiers, words });
    }
  }
  // A name may be a block in more than one file; the union over them keeps the sets supersets.
  const byName = new Map<string, Scanned[]>();
  for (const s of scanned) byName.set(s.decl.name, [...(byName.get(s.decl.name) ?? []), s]);
  const closure = (start: Scanned): { ops: Set<string>; words: Set<string> } => {
    const ops = new Set<string>();
    const words = new Set<string>();
    const seen = new Set<Scanned>();
    const visit = (s: Scanned) => {
      if (seen.has(s)) return;
      seen.add(s);
      for (const w of s.words) words.add(w);
      for (const id of s.identifiers) {
        if (lookupOp(id)) ops.add(id);
        for (const callee of byName.get(id) ?? []) visit(callee);
      }
    };
    visit(start);
    return { ops, words };
  };
  return scanned.map((s) => ({
    module: s.module,
    name: s.decl.name,
    required: s.decl.params.slice(1).filter((p) => p.default === undefined).map((p) => p.name),
    optional: s.decl.params.filter((p) => p.default !== undefined).map((p) => ({ name: p.name, ...(p.default!.kind === 'number' ? { default: p.default!.value } : {}) })),
    ...closure(s),
  }));
}

/** The words of a layer name relative to a call (`0.block.1.fc1` → block, fc), as the index keeps them. */
export const nameWords = (relative: string): string[] => relative.match(/[A-Za-z_]+/g) ?? [];
