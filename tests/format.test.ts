// The formatter: idempotent and AST-preserving on every .arch file under zoo/ (found at test time, so
// files added later are covered), comments kept, and a few hand-written layouts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatText } from '../dsl/format.js';
import { parse } from '../dsl/parser.js';
import { SourceFile } from '../dsl/source.js';
import { packageRoot } from '../compiler/node-host.js';

function archFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? archFiles(join(dir, e.name)) : e.name.endsWith('.arch') ? [join(dir, e.name)] : [],
  );
}

/** The AST without source positions: what must survive formatting. */
export function shape(text: string): unknown {
  const { file, errors } = parse(new SourceFile('x.arch', text));
  expect(errors).toEqual([]);
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v)
          .filter(([k, x]) => !/span$/i.test(k) && k !== 'comments' && x !== undefined)
          .map(([k, x]) => [k, strip(x)]),
      );
    }
    return v;
  };
  return strip({ items: file.items });
}

const commentTexts = (text: string) =>
  parse(new SourceFile('x.arch', text)).file.comments.map((c) => c.text.split('\n').map((l) => l.trimEnd()).join('\n'));

/** Formats and checks the three promises: idempotent, same AST, same comments. */
export function fmt(text: string): string {
  const once = formatText(text);
  expect(once.errors).toEqual([]);
  const out = once.text!;
  expect(formatText(out).text, 'formatting is idempotent').toBe(out);
  expect(shape(out), 'formatting keeps the AST').toEqual(shape(text));
  expect(commentTexts(out).sort(), 'formatting keeps every comment').toEqual(commentTexts(text).sort());
  return out;
}

describe('fmt over the zoo', () => {
  const files = archFiles(join(packageRoot, 'zoo'));
  it('finds the zoo', () => expect(files.length).toBeGreaterThan(3));
  it.each(files.map((f) => [f.slice(packageRoot.length + 1), f]))('%s', (_, path) => {
    const out = fmt(readFileSync(path, 'utf8'));
    for (const line of out.split('\n')) expect(line).not.toMatch(/\s$/);
  });
});

describe('fmt layout', () => {
  it('indents by two, spaces operators, drops needless parens and keeps the ones precedence needs (not binds looser than >)', () => {
    const src = 'model m(a=1){\ninput x:[3,8,8]\ny=((x))|>conv((a+1)*2,3)\noutput o=y|>relu\nexpect -(1-2)==1 and not (a>2)\n}\n';
    expect(fmt(src)).toBe(
      'model m(a = 1) {\n  input x: [3, 8, 8]\n  y = x |> conv((a + 1) * 2, 3)\n  output o = y |> relu\n' +
        '  expect -(1 - 2) == 1 and not a > 2\n}\n',
    );
  });

  it('prints numbers and strings as written', () => {
    const src = 'model m {\n  input x: [3, 8, 8]\n  output o = x |> dropout(0.50) |> dense(1_000, name="a\\"b")\n  expect params == 1e3\n}\n';
    expect(fmt(src)).toBe(src);
  });

  it('breaks a long pipeline one |> per line, keeping the annotation on the last stage', () => {
    const src =
      'block b(x, width) {\n  y = x |> conv(width, 3, pad=1, bias=false) |> bn |> relu |> conv(width, 3, pad=1, bias=false) |> bn : [64, 8, 8]\n  return y\n}\n';
    expect(fmt(src)).toBe(
      'block b(x, width) {\n  y = x\n      |> conv(width, 3, pad=1, bias=false)\n      |> bn\n      |> relu\n' +
        '      |> conv(width, 3, pad=1, bias=false)\n      |> bn : [64, 8, 8]\n  return y\n}\n',
    );
  });

  it('moves an annotation that does not fit after the last stage to a line of its own', () => {
    const call = 'stage(bottleneck, 128, blocks=4, stride=2, groups=32, base_width=4, name="layer2")';
    const out = fmt(`model m {\n  input x: [3, 8, 8]\n  y = x |> ${call} : [512, 28, 28]\n  output o = y\n}\n`);
    expect(out).toContain(`  y = x\n      |> ${call}\n      : [512, 28, 28]\n`);
  });

  it('wraps the list of a long for header', () => {
    const cfgs = Array.from({ length: 9 }, (_, i) => `[${i}, ${16 * i}, 2, 2]`).join(', ');
    const out = fmt(`block b(x) {\n  for cfg in [${cfgs}] {\n    x = x |> conv(cfg[1], 3)\n  }\n  return x\n}\n`);
    const lines = out.split('\n');
    expect(lines[1]).toMatch(/^  for cfg in \[\[0, 0, 2, 2\], .*,$/);
    expect(lines[2]).toMatch(/^ {14}\[/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('keeps short ifs inline and puts long or commented ones on several lines', () => {
    const src =
      'block b(x, s = 1) {\n  a = if s != 1 {x|>relu} else {x}\n  c = if s == 1 { // plain\n x } else if s == 2 { x |> relu } else { x |> sigmoid }\n' +
      '  if s > 3 { x = x |> relu }\n  return a + c\n}\n';
    expect(fmt(src)).toBe(
      'block b(x, s = 1) {\n  a = if s != 1 { x |> relu } else { x }\n  c = if s == 1 { // plain\n    x\n' +
        '  } else if s == 2 {\n    x |> relu\n  } else {\n    x |> sigmoid\n  }\n  if s > 3 { x = x |> relu }\n  return a + c\n}\n',
    );
  });

  it('keeps comments: headers, own-line, trailing, inside pipelines, before closing braces and at the end', () => {
    const src = [
      '// header',
      '',
      'use "std/resnet"  // trailing on use',
      '// about m',
      'model m {',
      '  input x: [3, 8, 8]   // the image',
      '',
      '',
      '  /* block',
      '     comment */',
      '  y = x |> conv(8, 3)  // stem',
      '        // between stages',
      '        |> relu',
      '  output o = y',
      '  // last words',
      '}',
      '// the end',
    ].join('\n');
    expect(fmt(src)).toBe(
      [
        '// header',
        '',
        'use "std/resnet" // trailing on use',
        '',
        '// about m',
        'model m {',
        '  input x: [3, 8, 8] // the image',
        '',
        '  /* block',
        '     comment */',
        '  y = x',
        '      |> conv(8, 3) // stem',
        '      // between stages',
        '      |> relu',
        '  output o = y',
        '  // last words',
        '}',
        '// the end',
        '',
      ].join('\n'),
    );
  });

  it('moves comments that sit inside a one-line statement before it, and never swallows code', () => {
    const src = 'model m {\n  input x: [3, 8, 8]\n  output o = x |> conv(8, // filters\n   3 /* kernel */)\n}\n';
    expect(fmt(src)).toBe('model m {\n  input x: [3, 8, 8]\n  output o = x |> conv(8, 3) // filters\n  /* kernel */\n}\n');
  });

  it('wraps a long parameter list aligned after the parenthesis', () => {
    const params = Array.from({ length: 14 }, (_, i) => `param_${i} = ${i}`).join(', ');
    const out = fmt(`block b(x, ${params}) {\n  return x\n}\n`);
    const [first, second] = out.split('\n');
    expect(first!.length).toBeLessThanOrEqual(100);
    expect(second).toMatch(/^ {8}param_/);
  });

  it('formats frozen, for over ranges and lists, tuples, returns and empty bodies', () => {
    const src =
      'block u(x) { return x, x }\nblock e(x) {}\nmodel m { input x: [3, 4, 4]\n frozen { for i in 0..2 { x = x |> relu } }\n' +
      ' for w in [1, 2] { x = x |> conv(w, 1) }\n a, b = x |> u\n output o = a + b }\n';
    expect(fmt(src)).toBe(
      'block u(x) {\n  return x, x\n}\n\nblock e(x) {}\n\nmodel m {\n  input x: [3, 4, 4]\n  frozen {\n    for i in 0..2 {\n' +
        '      x = x |> relu\n    }\n  }\n  for w in [1, 2] {\n    x = x |> conv(w, 1)\n  }\n  a, b = x |> u\n  output o = a + b\n}\n',
    );
  });

  it('refuses a file with syntax errors', () => {
    const r = formatText('model m {\n  input x: [3, 8\n}\n');
    expect(r.text).toBeUndefined();
    expect(r.errors.length).toBeGreaterThan(0);
  });

  it('formats an empty file to nothing and a comment-only file to its comments', () => {
    expect(fmt('')).toBe('');
    expect(fmt('  // only\n\n\n/* me */  ')).toBe('// only\n\n/* me */\n');
  });
});
