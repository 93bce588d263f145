// Deliberate warnings: `allow W0102` at the top of a file silences that warning for everything the
// file's models and blocks make; `allow="W0102"` (or a list) on one op or block call silences it for
// that call and, for a block, for everything inside it. Only warnings can be allowed.
import type { Span } from '../dsl/source.js';
import { catalogue, closestMatch, diagnostic, type Diagnostic, type DiagnosticCode } from './diagnostics.js';
import type { Module } from './loader.js';

const warningCodes = (Object.keys(catalogue) as DiagnosticCode[]).filter((c) => c.startsWith('W'));

/** Why `code` cannot be allowed, or undefined when it is a warning. */
export function notAllowable(code: string): { message: string; hint?: string } | undefined {
  if ((warningCodes as string[]).includes(code)) return undefined;
  if (Object.hasOwn(catalogue, code)) return { message: `${code} is an error and cannot be allowed; only warnings (W...) can` };
  const m = closestMatch(code, warningCodes);
  return { message: `allow names no warning: '${code}'`, hint: m ? `did you mean '${m}'?` : `the warnings are ${warningCodes.join(', ')}` };
}

/** E0211 for every file-level `allow` that names no warning. */
export function checkFileAllows(modules: Iterable<Module>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const m of modules) {
    for (const a of m.ast.allows) {
      for (const { code, span } of a.codes) {
        const bad = notAllowable(code);
        if (bad) out.push(diagnostic('E0211', bad.message, span, { hint: bad.hint }));
      }
    }
  }
  return out;
}

/**
 * Drops the warnings a file allows: those located in it, and those raised inside a block called
 * from it (a call site of the warning is in that file).
 */
export function dropFileAllowed(ds: readonly Diagnostic[], modules: Iterable<Module>): Diagnostic[] {
  const allowed = new Map<string, Set<string>>();
  for (const m of modules) {
    const codes = m.ast.allows.flatMap((a) => a.codes.map((c) => c.code));
    if (codes.length) allowed.set(m.path, new Set(codes));
  }
  if (allowed.size === 0) return [...ds];
  const allows = (span: Span, code: string) => allowed.get(span.file)?.has(code) === true;
  return ds.filter(
    (d) => d.severity !== 'warning' || !(allows(d.span, d.code) || d.related.some((r) => r.callSite === true && allows(r.span, d.code))),
  );
}
