// The benchmark sections, in the order they run: one line each. Add a section (export timing,
// runtime inference, training throughput...) as a file in this folder exporting a BenchSection.
import type { BenchSection } from './section.js';
import { compileSection } from './compile.js';
import { sizesSection } from './sizes.js';
import { checkZooSection } from './check-zoo.js';
import { exportSection } from './export.js';
import { importSection } from './import.js';
import { pytorchExportSection } from './pytorch-export.js';
import { trainSection } from './train.js';
import { inferSection } from './infer.js';
import { lspSection } from './lsp.js';
import { torchSection } from './torch.js';
import { scaleSection } from './scale.js';
import { parseSection } from './parse.js';

export const sections: BenchSection[] = [compileSection, parseSection, sizesSection, checkZooSection, scaleSection, exportSection, pytorchExportSection, importSection, inferSection, trainSection, torchSection, lspSection];
