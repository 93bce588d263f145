// Run by the import benchmark in a fresh process: imports the ONNX file named on the command line
// (reading it included) and prints the resident-set figures as JSON.
import { readFileSync } from 'node:fs';
import { stdLibrary } from '../../../compiler/node-host.js';
import { importOnnx } from '../../../import/index.js';
import type { ImportChildReport } from './import.js';

const baseline = process.memoryUsage().rss;
const bytes = readFileSync(process.argv[2]!);
// As `archc import` runs: with the std library to recognise blocks in.
const result = importOnnx(bytes, { sourceName: 'resnet50.onnx', reuseBuffer: true, library: stdLibrary() });
if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
const report: ImportChildReport = { fileBytes: bytes.length, baseline, peak: process.resourceUsage().maxRSS * 1024 };
process.stdout.write(JSON.stringify(report));
