// Span helpers for the editor features, free of Node APIs (the playground runs them in a browser
// worker): LSP ranges from archc spans, containment and identity of spans.
import type { Range } from 'vscode-languageserver-types';
import type { Span } from '../dsl/source.js';

export function toRange(span: Span): Range {
  // Line 0 marks a diagnostic about the whole file: show it on the first character.
  const line = (n: number) => Math.max(0, n - 1);
  return {
    start: { line: line(span.start.line), character: Math.max(0, span.start.col - 1) },
    end: { line: line(span.end.line), character: Math.max(0, span.end.col - 1) },
  };
}

export const contains = (span: Span, offset: number): boolean => span.start.offset <= offset && offset <= span.end.offset;

export const within = (inner: Span, outer: Span): boolean =>
  inner.file === outer.file && outer.start.offset <= inner.start.offset && inner.end.offset <= outer.end.offset;

export const spanKey = (span: Span): string => `${span.file}\u0000${span.start.offset}\u0000${span.end.offset}`;
