// Conversions between archc spans (1-based lines and columns, 0-based offsets) and LSP ranges
// (0-based lines and UTF-16 characters), and between file paths and URIs.
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Range } from 'vscode-languageserver';
import type { Span } from '../dsl/source.js';

export function toRange(span: Span): Range {
  // Line 0 marks a diagnostic about the whole file: show it on the first character.
  const line = (n: number) => Math.max(0, n - 1);
  return {
    start: { line: line(span.start.line), character: Math.max(0, span.start.col - 1) },
    end: { line: line(span.end.line), character: Math.max(0, span.end.col - 1) },
  };
}

/** The path a document is compiled under: its file path, or a stand-in for unsaved buffers. */
export function uriToPath(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      // a malformed file URI is treated like any other scheme below
    }
  }
  // untitled:Untitled-1 and other schemes: a stable path that cannot clash with a real file.
  const name = uri.replace(/^[a-z]+:/i, '').replace(/[^A-Za-z0-9._-]+/g, '_') || 'untitled';
  return `/untitled/${name.endsWith('.arch') ? name : `${name}.arch`}`;
}

export function pathToUri(path: string, known: ReadonlyMap<string, string>): string {
  return known.get(path) ?? pathToFileURL(path).href;
}

export const contains = (span: Span, offset: number): boolean => span.start.offset <= offset && offset <= span.end.offset;

export const within = (inner: Span, outer: Span): boolean =>
  inner.file === outer.file && outer.start.offset <= inner.start.offset && inner.end.offset <= outer.end.offset;

export const spanKey = (span: Span): string => `${span.file}\u0000${span.start.offset}\u0000${span.end.offset}`;
