// Finding a WebGPU adapter. Browsers have navigator.gpu; in Node, the `webgpu` package (Dawn)
// provides one: its default backend (Vulkan/Metal/D3D) for real GPUs, else OpenGL ES through EGL
// in compatibility mode. tfjs's webgpu backend asks navigator.gpu for an adapter itself, so in
// Node archc installs a navigator.gpu that asks Dawn for the adapter found here.
import { inNode } from './platform.js';

export interface GpuAdapterReport {
  readonly available: boolean;
  /** False for software rasterizers (llvmpipe, SwiftShader, lavapipe) and fallback adapters. */
  readonly hardware: boolean;
  readonly description: string;
  readonly note: string;
}

interface AdapterLike {
  readonly info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  readonly isFallbackAdapter?: boolean;
}

interface GpuLike {
  requestAdapter(options?: Record<string, unknown>): Promise<AdapterLike | null>;
}

const SOFTWARE = /llvmpipe|softpipe|swiftshader|lavapipe|software|microsoft basic render/i;

let probed: Promise<GpuAdapterReport> | undefined;

/**
 * Looks for an adapter once per process; installs navigator.gpu in Node when one is found. With
 * `hardwareOnly` (backend `auto`), a Linux machine without a GPU device is answered at once: Dawn
 * would only find a software adapter, after printing its Vulkan and EGL complaints on stderr.
 */
export async function probeWebGpu(options: { readonly hardwareOnly?: boolean } = {}): Promise<GpuAdapterReport> {
  if (options.hardwareOnly && !probed && inNode && process.platform === 'linux' && !(await linuxGpuDevice())) {
    return absent('no GPU device (/dev/dri/renderD*, /dev/nvidia*), so no hardware adapter');
  }
  probed ??= probe();
  return probed;
}

/** Whether Linux shows a GPU that a driver could run on: a DRM render node or an NVIDIA device. */
async function linuxGpuDevice(): Promise<boolean> {
  const { existsSync, readdirSync } = await import('node:fs');
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return readdirSync('/dev/dri').some((name) => name.startsWith('renderD'));
  } catch {
    return false;
  }
}

async function probe(): Promise<GpuAdapterReport> {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  if (nav?.gpu) return report(await nav.gpu.requestAdapter(), 'navigator.gpu');
  if (!inNode) return absent('this JavaScript runtime has no WebGPU (navigator.gpu)');
  let dawn: { create(flags: string[]): GpuLike; globals: Record<string, unknown> };
  try {
    dawn = (await import('webgpu' as string)) as typeof dawn;
  } catch {
    return absent('the optional `webgpu` package is not installed');
  }
  process.env['EGL_PLATFORM'] ??= 'surfaceless';
  const attempts: [string, string[], Record<string, unknown>][] = [
    ['Dawn (native)', [], {}],
    ['Dawn (OpenGL ES, compatibility)', ['backend=opengles'], { featureLevel: 'compatibility' }],
  ];
  for (const [label, flags, options] of attempts) {
    let gpu: GpuLike;
    let adapter: AdapterLike | null = null;
    try {
      gpu = dawn.create(flags);
      adapter = await gpu.requestAdapter(options);
    } catch {
      continue;
    }
    if (!adapter) continue;
    Object.assign(globalThis, dawn.globals);
    const forced: GpuLike = { requestAdapter: (o) => gpu.requestAdapter({ ...o, ...options }) };
    Object.defineProperty(globalThis, 'navigator', { value: { ...(nav ?? {}), gpu: forced }, configurable: true, writable: true });
    return report(adapter, label);
  }
  return absent('Dawn found no WebGPU adapter (no Vulkan driver, and no usable OpenGL ES through EGL)');
}

function report(adapter: AdapterLike | null, source: string): GpuAdapterReport {
  if (!adapter) return absent(`${source} gave no adapter`);
  const info = adapter.info ?? {};
  const description = [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' ').trim() || 'unnamed adapter';
  const hardware = !adapter.isFallbackAdapter && !SOFTWARE.test(description);
  const kind = hardware ? 'hardware' : 'software';
  return { available: true, hardware, description, note: `webgpu: ${kind} adapter through ${source}: ${description}` };
}

const absent = (note: string): GpuAdapterReport => ({ available: false, hardware: false, description: 'none', note: `webgpu: ${note}` });
