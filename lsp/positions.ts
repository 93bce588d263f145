// Conversions between file paths and the URIs editors name documents by.
import { fileURLToPath, pathToFileURL } from 'node:url';

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
