// Language-server latency: from a change of the document to its published diagnostics, driving
// `archc lsp` over stdio as an editor does (tools/dev/lsp-client.ts). Each change adds a comment
// line, so every compile sees new text (no cache hit) and the same model.
import { readFileSync } from 'node:fs';
import { locate } from '../../../compiler/node-host.js';
import { fileUri, startClient } from '../lsp-client.js';
import { median, type BenchSection, type Figure } from './section.js';

/** resnet50 (the ARCHITECTURE.md example) and densenet201, the zoo model with the most nodes. */
const MODELS: readonly [string, number][] = [
  ['resnet50', 30],
  ['densenet201', 100],
];
const RUNS = 40;

export const lspSection: BenchSection = {
  name: 'lsp',
  summary: 'archc lsp over stdio: a change to published diagnostics',
  async run() {
    const client = await startClient();
    const figures: Figure[] = [];
    try {
      for (const [name, target] of MODELS) {
        const path = locate(name);
        const text = readFileSync(path, 'utf8');
        const uri = fileUri(path);
        const first = await client.open(uri, text);
        if (first.diagnostics.some((d) => d.severity === 1)) throw new Error(`${name} has errors in the server`);
        const times: number[] = [];
        for (let v = 2; v < RUNS + 12; v++) {
          const start = performance.now();
          await client.change(uri, `${text}// edit ${v}\n`, v);
          if (v >= 12) times.push(performance.now() - start); // the first ten warm the worker up
        }
        figures.push({ label: `${name}: change → diagnostics`, value: median(times), unit: 'ms', target, lowerIsBetter: true, how: `median of ${RUNS} after 10 warm-up` });
      }
    } finally {
      await client.close();
    }
    return figures;
  },
};
