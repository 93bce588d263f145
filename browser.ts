// archc in a browser: compile .arch text held in memory, then build, run, train and save the
// TensorFlow.js model on webgpu, wasm or cpu. `npm run build:browser` bundles this file, with
// TensorFlow.js, into dist/archc.browser.js (an ES module). Use the `tf` and `tfl` it exports:
// a second copy of TensorFlow.js on the page would not see archc's backends, kernels and layers.
// The wasm backend fetches its .wasm files from beside the bundle (tools/dev/build-browser.ts copies
// them there); call `setWasmPaths` before the backend starts to serve them from elsewhere.
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

// Left alone, tfjs would look beside the page: a bundled module has no document.currentScript.
setWasmPaths(new URL('./', import.meta.url).href);

export { compile, type CompileOptions, type CompileResult } from './compiler/compile.js';
export { memoryHost } from './compiler/memory-host.js';
export { renderDiagnostic } from './compiler/render.js';
export type { Diagnostic } from './compiler/diagnostics.js';
export type { IrGraph } from './compiler/ir.js';
export { initWeights } from './compiler/weights/init.js';
export { buildModel, setBackend, describeBackend, loadWeights, saveWeights, metadataOf, toTfjsLayout, fromTfjsLayout } from './runtime/index.js';
export { setWasmPaths };
export * as tf from '@tensorflow/tfjs-core';
export * as tfl from '@tensorflow/tfjs-layers';
