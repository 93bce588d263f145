// Test helpers: compile inline source through an in-memory host that still sees the real zoo/std.
import { compile, type CompileOptions, type CompileResult } from '../compiler/compile.js';
import type { CompileHost } from '../compiler/loader.js';
import { nodeHost } from '../compiler/node-host.js';

/** Compiles `text` as if it were the file `name`; imports resolve against the real zoo. */
export function compileText(text: string, options: CompileOptions = {}, name = '/virtual/test.arch'): CompileResult {
  const host: CompileHost = {
    read: (path) => (path === name ? { text } : nodeHost.read(path)),
    resolve: nodeHost.resolve,
  };
  return compile(name, host, { ...options, text });
}

/** Wraps op lines in a one-input model: `net('[3, 32, 32]', 'x |> conv(8, 3)')`. */
export function net(inputShape: string, body: string): string {
  return `model t {\n  input x: ${inputShape}\n  output y = ${body}\n}\n`;
}

export const codes = (r: CompileResult): string[] => r.diagnostics.map((d) => d.code);
export const errors = (r: CompileResult) => r.diagnostics.filter((d) => d.severity === 'error');
