// Three test tiers, chosen by where a test file lives (`npm test` runs all three; see
// docs/contributing.md):
//
// - unit: pure TypeScript (language, ops, diagnostics, zoo counts, formatter, schemas). No dist/
//   build, no onnxruntime, no TensorFlow.js, no child processes; the whole tier runs in under a
//   minute (`npm run test:unit`). A file is unit only when listed here: new files default to
//   integration, which is always safe. tests/unit-tier.test.ts checks that no unit file imports
//   an engine or spawns a process.
// - external: needs a tool outside npm — Python with torch, chromium, python3-onnx. These live under
//   tests/external/; the zoo-wide ONNX suites (python3-onnx's checker gives every export a second
//   opinion) are globbed in where they stand beside their harness.
// - integration: everything else (dist/, onnxruntime-node, tfjs, the CLI in a child process, fuzz).
import { defineConfig } from 'vitest/config';

const UNIT = [
  'tests/ops/**/*.test.ts',
  'tests/unit/**/*.test.ts',
  'tests/{core,diagnostics,format,memory-host,schema,std-blocks,unit-tier}.test.ts',
  'tests/zoo*.test.ts',
];
const EXTERNAL = ['tests/external/**/*.test.ts', 'tests/onnx/zoo-*.test.ts', 'tests/onnx/ops.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      {
        extends: true,
        test: { name: 'integration', include: ['tests/**/*.test.ts'], exclude: [...UNIT, ...EXTERNAL], globalSetup: ['tests/global-setup.ts'] },
      },
      { extends: true, test: { name: 'external', include: EXTERNAL, globalSetup: ['tests/global-setup.ts'] } },
    ],
  },
});

export { UNIT, EXTERNAL };
