// The formatter's expressions and one-line rendering: precedence-aware printing to any Out (the
// layout in format.ts, or FlatOut for a single line), and statements as parts.
import type * as A from './ast.js';
import type { TokenIndex } from './format-tokens.js';

// ---------- expressions, written to any Out

/** Binding strength, loosest first, as in the parser: |>, or, and, not, comparison, + -, * / %, unary -, postfix. */
function precedence(e: A.Expr): number {
  switch (e.kind) {
    case 'pipe':
      return 0;
    case 'binary':
      return e.op === 'or' ? 1 : e.op === 'and' ? 2 : ['+', '-'].includes(e.op) ? 5 : ['*', '/', '%'].includes(e.op) ? 6 : 4;
    case 'unary':
      return e.op === 'not' ? 3 : 7;
    case 'member':
    case 'index':
    case 'call':
      return 8;
    default:
      return 9;
  }
}

export interface Out {
  write(text: string): void;
  /** Called after each expression is written (the layout tracks how far in the source a line got). */
  done(e: A.Expr): void;
  ifExpr(e: A.IfExpr): void;
  pipe(e: A.PipeExpr): void;
  list<T>(open: string, items: readonly T[], close: string, item: (x: T, out: Out) => void, start: (x: T) => number): void;
}

export function render(e: A.Expr, min: number, out: Out): void {
  const p = precedence(e);
  if (p < min) out.write('(');
  switch (e.kind) {
    case 'number':
      out.write(e.raw);
      break;
    case 'string':
      out.write(quote(e.value));
      break;
    case 'bool':
      out.write(String(e.value));
      break;
    case 'none':
      out.write('none');
      break;
    case 'name':
      out.write(e.name);
      break;
    case 'list':
      out.list('[', e.items, ']', (x, o) => render(x, 0, o), (x) => x.span.start.offset);
      break;
    case 'member':
      render(e.object, 8, out);
      out.write(`.${e.property}`);
      break;
    case 'index':
      render(e.object, 8, out);
      out.write('[');
      render(e.index, 0, out);
      out.write(']');
      break;
    case 'call':
      render(e.callee, 8, out);
      out.list('(', e.args, ')', (a, o) => renderArg(a, o), (a) => a.span.start.offset);
      break;
    case 'pipe':
      out.pipe(e);
      break;
    case 'binary': {
      const comparison = p === 4;
      render(e.left, comparison ? 5 : p, out);
      out.write(` ${e.op} `);
      render(e.right, comparison ? 5 : p + 1, out);
      break;
    }
    case 'unary':
      out.write(e.op === 'not' ? 'not ' : '-');
      render(e.operand, e.op === 'not' ? 3 : 7, out);
      break;
    case 'if':
      out.ifExpr(e);
      break;
  }
  if (p < min) out.write(')');
  out.done(e);
}

function renderArg(a: A.Arg, out: Out): void {
  if (a.name !== undefined) out.write(`${a.name}=`);
  render(a.value, 0, out);
}

export function renderParam(p: A.Param, out: Out): void {
  out.write(p.name);
  if (p.annotation) {
    out.write(': ');
    render(p.annotation, 0, out);
  }
  if (!p.default) return;
  out.write(' = ');
  render(p.default, 0, out);
}

export function quote(s: string): string {
  return `"${s.replace(/[\\"\n\t]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\${c}`))}"`;
}

// ---------- statements as parts: text and expressions, one of which may be a breakable pipeline

export type Part = string | A.Expr;

interface Simple {
  readonly parts: Part[];
  /** The index of the part whose pipeline breaks one `|>` per line when the line is too long. */
  readonly main?: number;
}

export function simple(s: A.Stmt): Simple | undefined {
  switch (s.kind) {
    case 'input':
      return { parts: s.default ? [`input ${s.name}: `, s.shape, ' = ', s.default] : [`input ${s.name}: `, s.shape] };
    case 'output': {
      const parts: Part[] = [`output ${s.name}`];
      if (s.value) parts.push(' = ', s.value);
      if (s.annotation) parts.push(s.value ? ' : ' : ': ', s.annotation);
      return { parts, main: s.value ? 2 : undefined };
    }
    case 'assign': {
      const parts: Part[] = [`${s.targets.map((t) => t.name).join(', ')} = `, s.value];
      if (s.annotation) parts.push(' : ', s.annotation);
      return { parts, main: 1 };
    }
    case 'return':
      return { parts: ['return ', ...s.values.flatMap((v, i) => (i ? [', ', v] : [v]))], main: s.values.length === 1 ? 1 : undefined };
    case 'expect':
      return { parts: ['expect ', s.condition], main: 1 };
    case 'expr':
      return { parts: [s.expr], main: 0 };
    case 'for':
    case 'frozen':
      return undefined;
  }
}

/** The stages of a pipeline, `a |> b |> c` → [a, b, c]. */
export function stages(e: A.Expr): A.Expr[] {
  const steps: A.Expr[] = [];
  for (; e.kind === 'pipe'; e = e.lhs) steps.push(e.rhs);
  steps.push(e);
  return steps.reverse();
}

// ---------- one-line rendering

const NOT_FLAT = Symbol('not flat');
const TOO_LONG = Symbol('too long');
/**
 * Callers only ask whether a one-line rendering fits within the margin (100 columns), so rendering
 * stops once it is longer than any line could be: 1,000 nested `if`s are not walked to the end, on
 * the stack, at every level.
 */
const LONGER_THAN_ANY_LINE = 200;

/** Renders on one line; an `if` goes inline only when it is short-bodied and has no comments. */
export class FlatOut implements Out {
  text = '';

  constructor(private readonly tokens: TokenIndex) {}

  write(text: string): void {
    this.text += text;
    if (this.text.length > LONGER_THAN_ANY_LINE) throw TOO_LONG;
  }

  done(): void {}

  ifExpr(e: A.IfExpr): void {
    const branches = [e.then, e.else ?? []];
    if (!branches.every((b) => b.length === 0 || (b.length === 1 && simple(b[0]!)))) throw NOT_FLAT;
    if (this.tokens.commentIn(e.span.start.offset, e.span.end.offset)) throw NOT_FLAT;
    this.write('if ');
    render(e.condition, 0, this);
    this.write(' ');
    this.branch(e.then);
    if (!e.else) return;
    this.write(' else ');
    const only = e.else.length === 1 ? e.else[0]! : undefined;
    if (only?.kind === 'expr' && only.expr.kind === 'if') this.ifExpr(only.expr);
    else this.branch(e.else);
  }

  pipe(e: A.PipeExpr): void {
    render(e.lhs, 0, this);
    this.write(' |> ');
    render(e.rhs, 1, this);
  }

  private branch(body: readonly A.Stmt[]): void {
    if (body.length === 0) return this.write('{}');
    this.write('{ ');
    for (const p of simple(body[0]!)!.parts) typeof p === 'string' ? this.write(p) : render(p, 0, this);
    this.write(' }');
  }

  list<T>(open: string, items: readonly T[], close: string, item: (x: T, out: Out) => void): void {
    this.write(open);
    items.forEach((x, i) => {
      if (i) this.write(', ');
      item(x, this);
    });
    this.write(close);
  }

  /** The one-line rendering (cut short when longer than any line); undefined when it cannot be one line. */
  static of(tokens: TokenIndex, draw: (out: FlatOut) => void): string | undefined {
    const out = new FlatOut(tokens);
    try {
      draw(out);
    } catch (e) {
      if (e === NOT_FLAT) return undefined;
      if (e === TOO_LONG) return out.text;
      throw e;
    }
    return out.text;
  }
}

export function writeParts(parts: readonly Part[], out: Out): void {
  for (const p of parts) typeof p === 'string' ? out.write(p) : render(p, 0, out);
}
