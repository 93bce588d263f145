// Size-generic ONNX exports (named dynamic dims such as `H`, `H/16`, `(H+1)//2`, and reshape targets
// read from Shape at run time) pass Debian python3-onnx's checker with full_check and its strict shape
// inference, as the fixed-size exports do (tests/onnx/zoo-suite.ts). Weights are replaced by zeros
// made at run time (`light`), so the files stay small.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dimsOf } from '../../compiler/lower-onnx/proto.js';
import { bytesOf, exportSizeGeneric, light, OnnxChecker } from '../onnx/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'archc-onnx-dynamic-'));
const checker = new OnnxChecker();
afterAll(() => {
  checker.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(['unet_same', 'shufflenet_v2_x1_0', 'efficientnet_b0', 'resnet50', 'deeplabv3_resnet50'])('%s', (name) => {
  it('exports with dynamic sizes that python3-onnx accepts', async () => {
    const { model, warnings } = exportSizeGeneric(name);
    expect(warnings).toEqual([]);
    expect(dimsOf(model.graph!.input![0]!)!.slice(2)).toEqual(['H', 'W']);
    const file = join(dir, `${name}.onnx`);
    writeFileSync(file, bytesOf(light(model)));
    expect(await checker.check(file)).toBe('ok');
  }, 120_000);
});
