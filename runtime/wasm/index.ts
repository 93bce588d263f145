// The wasm backend's extra kernels: the gradients it lacks (missing-kernels.ts) and faster versions
// of some it has (faster-kernels.ts). Registered once, before the backend starts.
import * as tf from '@tensorflow/tfjs-core';
import { missingKernels, patchLimit } from './missing-kernels.js';
import { fasterKernels, type Fallback } from './faster-kernels.js';

export { missingKernels, fasterKernels, patchLimit };

let registered = false;

export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  for (const [kernelName, kernelFunc] of Object.entries(missingKernels)) {
    if (tf.getKernel(kernelName, 'wasm')) continue;
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
  for (const [kernelName, make] of Object.entries(fasterKernels)) {
    const original = tf.getKernel(kernelName, 'wasm');
    if (!original) continue;
    tf.unregisterKernel(kernelName, 'wasm');
    const fallback = original.kernelFunc as unknown as Fallback;
    tf.registerKernel({ ...original, kernelFunc: make(fallback) as unknown as tf.KernelFunc });
  }
}
