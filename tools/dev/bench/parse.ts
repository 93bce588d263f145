// Parsing speed: every zoo file read by the direct parser (dsl/direct-parser.ts, which reads every
// file) and, side by side, by the chevrotain grammar (which reads again only files with syntax
// errors), in-process, lexing excluded. Target: 15 ms a pass over the zoo (~28,000 tokens), so
// that parsing stays a small part of `archc check`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zooRoot } from '../../../compiler/node-host.js';
import { parseDirect } from '../../../dsl/direct-parser.js';
import { ArchParser } from '../../../dsl/grammar.js';
import { SourceFile } from '../../../dsl/source.js';
import * as T from '../../../dsl/tokens.js';
import { median, timeRuns, type BenchSection } from './section.js';

function archFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? archFiles(join(dir, e.name)) : e.name.endsWith('.arch') ? [join(dir, e.name)] : [],
  );
}

export const parseSection: BenchSection = {
  name: 'parse',
  summary: 'every zoo file parsed in-process: the direct parser against chevrotain',
  async run() {
    const files = archFiles(zooRoot).map((path) => {
      const source = new SourceFile(path, readFileSync(path, 'utf8'));
      return { source, tokens: T.lexer.tokenize(source.text).tokens };
    });
    const start = performance.now();
    const chevrotain = new ArchParser();
    const construction = performance.now() - start;
    const direct = timeRuns(() => files.forEach((f) => parseDirect(f.source, f.tokens)), 30, 5);
    const grammar = timeRuns(() => {
      for (const f of files) {
        chevrotain.source = f.source;
        chevrotain.input = f.tokens;
        chevrotain.file();
      }
    }, 30, 5);
    const how = `median of 30 after 5 warm-up, ${files.length} files`;
    return [
      { label: 'zoo parsed by the direct parser', value: median(direct), unit: 'ms', target: 15, lowerIsBetter: true, how },
      { label: '  the same by chevrotain', value: median(grammar), unit: 'ms', how },
      { label: '  chevrotain parser construction', value: construction, unit: 'ms', how: 'once (only files with syntax errors need it)' },
    ];
  },
};
