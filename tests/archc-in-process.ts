// Runs the archc command line in this process (no child, no build needed) and returns its exit
// status with what it printed: the CLI tests' one harness.
import { vi } from 'vitest';
import { main } from '../tools/cli/main.js';

export interface CliRun {
  readonly status: number;
  readonly out: string;
  readonly err: string;
}

export async function archcInProcess(...argv: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const se = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { status: await main(argv), out, err };
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
}
