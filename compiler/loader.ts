// Loads a .arch file and its imports into modules. `use "std/x"` names zoo/std/x.arch; any other
// path is relative to the importing file. Reading never throws: problems become diagnostics.
import { parse } from '../dsl/parser.js';
import { SourceFile, type Span } from '../dsl/source.js';
import type { ArchFile, Decl, UseDecl } from '../dsl/ast.js';
import { diagnostic, type Diagnostic } from './diagnostics.js';

/** Where source text comes from: the file system in the CLI, a map in tests and the browser. */
export interface CompileHost {
  /** The text, or an error message when it cannot be read. */
  read(path: string): { text: string } | { error: string };
  /** The path an import names, seen from the importing file. */
  resolve(from: string, spec: string): string;
}

export interface Module {
  readonly path: string;
  readonly source: SourceFile;
  readonly ast: ArchFile;
  /** Declarations visible in this module: its own, then those of the files it uses. */
  readonly scope: Map<string, { decl: Decl; module: Module }>;
}

export interface LoadResult {
  readonly root?: Module;
  readonly modules: Map<string, Module>;
  readonly sources: Map<string, SourceFile>;
  readonly diagnostics: Diagnostic[];
  /** True when some file failed to read or parse: later passes do not run. */
  readonly fatal: boolean;
}

/** Rejects files that are not text before the lexer sees them. */
export function looksBinary(text: string): boolean {
  const sample = text.slice(0, 4096);
  return sample.includes('\u0000') || (sample.match(/[\u0001-\u0008\u000e-\u001f\ufffd]/g)?.length ?? 0) > sample.length / 20;
}

/** A span for a diagnostic about a whole file (it cannot be read, it is binary): line and col 0. */
export const fileSpan = (file: string): Span => ({ file, start: { line: 0, col: 0, offset: 0 }, end: { line: 0, col: 0, offset: 0 } });

/** The file an import names once ".arch" is added (`use "/bin/ls"` reads /bin/ls.arch), when that differs. */
const lookedFor = (spec: string, file: string): string => (spec.endsWith('.arch') ? '' : ` (it names ${spec}.arch)`);

function importHint(spec: string): string {
  return spec.startsWith('std/')
    ? 'std/... names a file of the standard library in zoo/std'
    : 'a relative import is resolved from the folder of the importing file; ".arch" may be left out';
}

/** A file's text as a source, parsed; or 'binary' when it is not text. */
type Prepared = 'binary' | { readonly source: SourceFile; readonly parsed: ReturnType<typeof parse> };

/**
 * Reading a text as source (line table, binary check, parse) is pure, so one process (a zoo-wide
 * check, where every model reads the same std files) does it once per file and text.
 */
const prepareCache = new Map<string, Prepared>();

function prepare(file: string, text: string): Prepared {
  const key = `${file}\u0000${text}`;
  let prepared = prepareCache.get(key);
  if (!prepared) {
    if (looksBinary(text)) prepared = 'binary';
    else {
      const source = new SourceFile(file, text);
      prepared = { source, parsed: parse(source) };
    }
    if (prepareCache.size > 256) prepareCache.clear();
    prepareCache.set(key, prepared);
  }
  return prepared;
}

export function load(path: string, host: CompileHost, text?: string): LoadResult {
  const modules = new Map<string, Module>();
  const sources = new Map<string, SourceFile>();
  const diagnostics: Diagnostic[] = [];
  let fatal = false;

  const visit = (file: string, from?: UseDecl, given?: string): Module | undefined => {
    const existing = modules.get(file);
    if (existing) return existing;
    let content = given;
    if (content === undefined) {
      const read = host.read(file);
      if ('error' in read) {
        fatal = true;
        diagnostics.push(
          from
            ? diagnostic('E0103', `cannot import "${from.path}": ${read.error}${lookedFor(from.path, file)}`, from.pathSpan, { hint: importHint(from.path) })
            : diagnostic('E0100', `cannot read ${file}: ${read.error}`, fileSpan(file)),
        );
        return undefined;
      }
      content = read.text;
    }
    const prepared = prepare(file, content);
    if (prepared === 'binary') {
      // Not registered as a source: printing a line of it would put binary bytes on the terminal.
      fatal = true;
      const hint = 'archc reads UTF-8 .arch source files';
      diagnostics.push(
        from
          ? diagnostic('E0103', `cannot import "${from.path}": it is not a text file`, from.pathSpan, { hint })
          : diagnostic('E0100', `${file} is not a text file (it has NUL or control bytes)`, fileSpan(file), { hint }),
      );
      return undefined;
    }
    const { source, parsed } = prepared;
    sources.set(file, source);
    for (const e of parsed.errors) diagnostics.push(diagnostic(e.code, e.message, e.span));
    if (parsed.errors.length) fatal = true;
    const module: Module = { path: file, source, ast: parsed.file, scope: new Map() };
    modules.set(file, module);
    for (const decl of parsed.file.decls) {
      const clash = module.scope.get(decl.name);
      if (clash) {
        diagnostics.push(
          diagnostic('E0205', `'${decl.name}' is defined twice`, decl.nameSpan, {
            related: [{ span: clash.decl.nameSpan, message: 'first defined here' }],
          }),
        );
        continue;
      }
      module.scope.set(decl.name, { decl, module });
    }
    for (const use of parsed.file.uses) {
      const imported = visit(host.resolve(file, use.path), use);
      if (!imported) continue;
      for (const decl of imported.ast.decls) {
        if (decl.kind !== 'block' || module.scope.has(decl.name)) continue; // local definitions win
        module.scope.set(decl.name, { decl, module: imported });
      }
    }
    return module;
  };

  const root = visit(path, undefined, text);
  return { root, modules, sources, diagnostics, fatal };
}
