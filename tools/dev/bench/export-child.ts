// Run by the export benchmark in a fresh process: compiles resnet50, seeds its weights, exports it
// to the file named on the command line, and prints the resident-set figures as JSON.
import { compile } from '../../../compiler/compile.js';
import { initWeights } from '../../../compiler/weights/init.js';
import { weightBytes } from '../../../compiler/weights/tensor.js';
import { buildExport } from '../../cli/commands/export.js';
import { locate, nodeHost } from '../../../compiler/node-host.js';
import { writeFileAtomic } from '../../../runtime/persist/files.js';
import type { ChildReport } from './export.js';

const graph = compile(locate('resnet50'), nodeHost).graph!;
const baseline = process.memoryUsage().rss;
const weights = initWeights(graph, { seed: 0 });
const built = buildExport(graph, { format: 'onnx', weights: { loaded: weights, origin: 'memory' } });
writeFileAtomic(process.argv[2]!, built.chunks!);
const report: ChildReport = { weightBytes: weightBytes(weights), baseline, peak: process.resourceUsage().maxRSS * 1024 };
process.stdout.write(JSON.stringify(report));
