// docs/diagnostics.md has an entry for every code in the catalogue: the language server links each
// diagnostic's code there (lsp/diagnostics.ts), so a missing entry is a dead link in the editor.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogue } from '../../compiler/diagnostics.js';
import { packageRoot } from '../../compiler/node-host.js';

describe('docs/diagnostics.md', () => {
  it('has a heading for every diagnostic code and none for a code that does not exist', () => {
    const doc = readFileSync(join(packageRoot, 'docs', 'diagnostics.md'), 'utf8');
    const headings = [...doc.matchAll(/^### ([EW]\d{4})$/gm)].map((m) => m[1]);
    expect(headings.sort()).toEqual(Object.keys(catalogue).sort());
  });
});
