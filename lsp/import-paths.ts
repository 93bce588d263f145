// What `use "` may name in the server: `std/NAME` for each library file, and `./NAME` for the
// .arch files beside the document.
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CompletionItemKind, InsertTextFormat, type CompletionItem } from 'vscode-languageserver-types';
import { zooRoot } from '../compiler/node-host.js';

/** `std/NAME` for every library file, and `./NAME` for .arch files next to the document. */
export function importPaths(path: string): CompletionItem[] {
  const items: CompletionItem[] = [];
  const list = (dir: string) => {
    try {
      return readdirSync(dir).filter((f) => f.endsWith('.arch')).sort();
    } catch {
      return [];
    }
  };
  for (const f of list(join(zooRoot, 'std'))) {
    items.push({ label: `std/${f.slice(0, -5)}`, kind: CompletionItemKind.Module, detail: 'archc std library', insertTextFormat: InsertTextFormat.PlainText });
  }
  if (!path.startsWith('/untitled/')) {
    for (const f of list(dirname(path))) {
      if (f !== basename(path)) items.push({ label: `./${f.slice(0, -5)}`, kind: CompletionItemKind.File });
    }
  }
  return items;
}

