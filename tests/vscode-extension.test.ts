// The VS Code extension (editors/vscode, its own npm package: scripts/setup.sh installs it): the
// TextMate grammar passes its annotated test (vscode-tmgrammar-test), agrees with archc's own
// lexer on every token of every zoo file, and the extension packages into a .vsix with vsce.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as T from '../dsl/tokens.js';
import { packageRoot, zooRoot } from '../compiler/node-host.js';

const extension = join(packageRoot, 'editors', 'vscode');
const requireHere = createRequire(join(extension, 'package.json'));
const grammarPath = join(extension, 'syntaxes', 'archc.tmLanguage.json');

function zooFiles(dir = zooRoot): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? zooFiles(join(dir, e.name)) : e.name.endsWith('.arch') ? [join(dir, e.name)] : []));
}

/** The scope every lexer token type must carry (a prefix of one of the token's scopes). */
function expectedScope(type: string): string | undefined {
  if (type === 'LineComment' || type === 'BlockComment') return 'comment.';
  if (type === 'StringLit') return 'string.quoted.double';
  if (type === 'Integer' || type === 'Float') return 'constant.numeric';
  if (['True', 'False', 'None'].includes(type)) return 'constant.language';
  if (['And', 'Or', 'Not'].includes(type)) return 'keyword.operator.logical';
  if (['Model', 'Block'].includes(type)) return 'storage.type';
  if (['Input', 'Output', 'Frozen'].includes(type)) return 'storage.modifier';
  if (['Use', 'Return', 'Expect', 'For', 'In', 'If', 'Else'].includes(type)) return 'keyword.control';
  if (type === 'Pipe') return 'keyword.operator.pipe';
  if (type === 'Identifier') return ''; // any scope but the ones above (checked below)
  return undefined;
}

describe('editors/vscode', () => {
  it('passes the annotated grammar test (vscode-tmgrammar-test)', () => {
    const bin = join(extension, 'node_modules', 'vscode-tmgrammar-test', 'dist', 'unit.js');
    const r = spawnSync(process.execPath, [bin, '-g', grammarPath, 'test/*.test.arch'], { cwd: extension, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain('run successfuly');
    expect(r.status).toBe(0);
  });

  it('colours every token of every zoo file as archc lexes it', async () => {
    const oniguruma = requireHere('vscode-oniguruma') as typeof import('vscode-oniguruma');
    const textmate = requireHere('vscode-textmate') as typeof import('vscode-textmate');
    const wasm = readFileSync(requireHere.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new textmate.Registry({
      onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p), createOnigString: (s: string) => new oniguruma.OnigString(s) }),
      loadGrammar: async () => textmate.parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath),
    });
    const grammar = (await registry.loadGrammar('source.archc'))!;
    const wrong: string[] = [];
    let checked = 0;
    for (const file of zooFiles()) {
      const text = readFileSync(file, 'utf8');
      const lines = text.split('\n');
      const lineStart: number[] = [];
      let offset = 0;
      const scopesAt: { start: number; end: number; scopes: string[] }[][] = [];
      let state = textmate.INITIAL;
      for (const line of lines) {
        lineStart.push(offset);
        const r = grammar.tokenizeLine(line, state);
        scopesAt.push(r.tokens.map((t) => ({ start: t.startIndex, end: t.endIndex, scopes: t.scopes })));
        state = r.ruleStack;
        offset += line.length + 1;
      }
      for (const token of T.lexer.tokenize(text).tokens.concat(T.lexer.tokenize(text).groups['comments'] ?? [])) {
        const want = expectedScope(token.tokenType.name);
        if (want === undefined) continue;
        const line = token.startLine! - 1;
        const col = token.startOffset - lineStart[line]!;
        const scopes = scopesAt[line]!.find((t) => t.start <= col && col < t.end)?.scopes ?? [];
        checked++;
        // `allow` is a name to the lexer and a keyword at the start of a line (a top-level allow line).
        const contextual = token.image === 'allow' && scopes.includes('keyword.other.allow.archc');
        const ok = want === '' ? contextual || !scopes.some((s) => /^(comment|string|constant|keyword|storage)\./.test(s)) : scopes.some((s) => s.startsWith(want));
        if (!ok && wrong.length < 10) wrong.push(`${file.slice(zooRoot.length + 1)}:${token.startLine}:${col + 1} ${token.tokenType.name} '${token.image.slice(0, 20)}' got ${scopes.join(' ')}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(10_000);
  }, 120_000);

  it('builds the client and packages a .vsix with vsce (offline)', () => {
    const pkg = JSON.parse(readFileSync(join(extension, 'package.json'), 'utf8')) as { version: string };
    const vsix = join(extension, `archc-vscode-${pkg.version}.vsix`);
    rmSync(vsix, { force: true });
    const r = spawnSync(process.execPath, ['build.mjs', '--package'], { cwd: extension, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(existsSync(vsix)).toBe(true);
    // A .vsix is a zip: its central directory names the files.
    const bytes = readFileSync(vsix).toString('latin1');
    for (const f of ['extension/package.json', 'extension/out/extension.js', 'extension/syntaxes/archc.tmLanguage.json', 'extension/language-configuration.json']) expect(bytes).toContain(f);
    expect(bytes).not.toContain('extension/node_modules/');
  }, 120_000);
});
