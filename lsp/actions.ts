// Code actions for the diagnostics whose hint names a fix: a misspelt name ("did you mean
// 'relu'?"), an input size that works ("--input image=3x352x352" becomes an edit of the model's
// input line), and a conv bias before batch norm ("write bias=false").
import { CodeActionKind, type CodeAction, type Diagnostic as LspDiagnostic, type TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { DiagnosticData } from './diagnostics.js';
import { toRange } from './spans.js';
import type { SyntaxIndex } from './syntax.js';

export function codeActions(doc: TextDocument, diagnostics: readonly LspDiagnostic[], syntax: SyntaxIndex | undefined): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    const hint = (d.data as DiagnosticData | undefined)?.hint ?? /\nhelp: (.*)$/m.exec(d.message)?.[1];
    if (!hint) continue;
    const fix = (title: string, edits: TextEdit[]) => out.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit: { changes: { [doc.uri]: edits } } });
    const text = doc.getText(d.range);
    const mean = /did you mean ['"]([A-Za-z_][A-Za-z0-9_]*)['"]\?/.exec(hint);
    if (mean) {
      const named = /^([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(text);
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) fix(`change to '${mean[1]}'`, [{ range: d.range, newText: mean[1]! }]);
      else if (named) {
        const start = doc.offsetAt(d.range.start);
        fix(`change to '${mean[1]}'`, [{ range: { start: d.range.start, end: doc.positionAt(start + named[1]!.length) }, newText: mean[1]! }]);
      }
      continue;
    }
    const size = /--input ([A-Za-z_][A-Za-z0-9_]*)=(\d+(?:x\d+)*)/.exec(hint);
    if (size && syntax) {
      const input = syntax.occurrences.find((o) => o.binds && o.stmt?.kind === 'input' && o.name === size[1]);
      if (input?.stmt?.kind === 'input') {
        const dims = size[2]!.split('x').join(', ');
        // With size variables (`input image: [3, H, W] = [3, 224, 224]`) the default is what changes.
        fix(`use input size [${dims}] for '${size[1]}'`, [{ range: toRange((input.stmt.default ?? input.stmt.shape).span), newText: `[${dims}]` }]);
      }
      continue;
    }
    if (d.code === 'W0101' && text.endsWith(')')) {
      const start = doc.offsetAt(d.range.start);
      const explicit = /bias\s*=\s*true/.exec(text);
      if (explicit) fix('write bias=false', [{ range: { start: doc.positionAt(start + explicit.index), end: doc.positionAt(start + explicit.index + explicit[0].length) }, newText: 'bias=false' }]);
      else fix('add bias=false', [{ range: { start: doc.positionAt(start + text.length - 1), end: doc.positionAt(start + text.length - 1) }, newText: ', bias=false' }]);
    }
  }
  return out;
}
