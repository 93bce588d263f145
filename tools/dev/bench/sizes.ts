// Size analysis speed: unet_same (input [channels, H, W]) from text to report with its symbolic
// shapes and derived constraints solved ("valid for H, W ≡ 0 (mod 16), H, W ≥ 16"), in-process.
// Target: 5 ms. Side by side: the concrete compile of the same model (no variables), to show what
// the analysis adds.
import { readFileSync } from 'node:fs';
import { compile } from '../../../compiler/compile.js';
import { locate, nodeHost } from '../../../compiler/node-host.js';
import { median, timeRuns, type BenchSection } from './section.js';

export const sizesSection: BenchSection = {
  name: 'sizes',
  summary: 'unet_same with size variables: symbolic shapes and constraints',
  async run() {
    const path = locate('unet_same');
    const text = readFileSync(path, 'utf8');
    const result = compile(path, nodeHost, { text });
    if (!result.ok || !result.sizes) throw new Error('unet_same does not compile with its size variables');
    // The same model with its sizes written as numbers: no analysis.
    const fixed = text.replace(/input image: \[channels, H, W\] = (\[[^\]]*\])/, 'input image: $1').replace('[classes, H, W]', '[classes, 256, 256]');
    if (!compile(path, nodeHost, { text: fixed }).ok || compile(path, nodeHost, { text: fixed }).sizes) throw new Error('the fixed-size unet_same does not compile');
    const symbolic = timeRuns(() => compile(path, nodeHost, { text }).sizes, 200, 30); // the analysis runs when asked
    const concrete = timeRuns(() => compile(path, nodeHost, { text: fixed }), 200, 30);
    return [
      { label: 'unet_same check, symbolic', value: median(symbolic), unit: 'ms', target: 5, lowerIsBetter: true, how: 'median of 200 after 30 warm-up' },
      { label: '  the same at fixed sizes', value: median(concrete), unit: 'ms', how: 'median of 200 after 30 warm-up' },
    ];
  },
};
