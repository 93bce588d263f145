// The JSON the CLI prints matches its published schemas (tools/cli/schema/*.schema.json), validated with
// ajv: `summary --json` for every zoo model, `check --json` for every diagnostic baseline case.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { compile } from '../compiler/compile.js';
import { diagnosticsJson, reportJson } from '../tools/cli/json.js';
import { nodeHost, packageRoot, zooModels } from '../compiler/node-host.js';

const schema = (name: string) => JSON.parse(readFileSync(join(packageRoot, 'tools', 'cli', 'schema', name), 'utf8'));
// strictTuples off: a shape is an open tuple, "N" then any number of per-sample axes.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTuples: false });
const validateSummary = ajv.compile(schema('summary.schema.json'));
const validateCheck = ajv.compile(schema('check.schema.json'));
const errorsOf = (v: typeof validateSummary) => ajv.errorsText(v.errors, { separator: '\n' });

describe('summary --json schema', () => {
  const models = zooModels();
  it('finds the zoo', () => expect(models.length).toBeGreaterThan(3));

  it.each(models)('%s', (_, path) => {
    const result = compile(path, nodeHost);
    // Every zoo model compiles (the zoo test says why one does not); one without a report fails here too.
    expect(result.report, `${path} compiles to a report`).toBeDefined();
    const json = JSON.parse(JSON.stringify(reportJson(result.report!)));
    expect(validateSummary(json), errorsOf(validateSummary)).toBe(true);
    expect(json.flops).toBe(2 * json.macs);
    expect(json.params.trainable + json.params.frozen).toBe(json.params.learnable);
  });

  it('rejects a report that breaks its promises', () => {
    const report = JSON.parse(JSON.stringify(reportJson(compile(models[0]![1], nodeHost).report!)));
    expect(validateSummary({ ...report, inputs: [{ name: 'x', shape: [3, 224, 224] }] })).toBe(false); // no batch "N"
    expect(validateSummary({ ...report, params: { ...report.params, buffers: -1 } })).toBe(false);
    expect(validateSummary({ ...report, extra: 1 })).toBe(false);
  });
});

describe('check --json schema', () => {
  const cases = join(packageRoot, 'tests', 'diagnostics', 'cases');
  const files = readdirSync(cases).filter((f) => f.endsWith('.arch'));

  it('validates the diagnostics of every baseline case, file-level ones included', () => {
    const all = files.flatMap((f) => compile(join(cases, f), nodeHost).diagnostics);
    expect(all.some((d) => d.span.start.line === 0)).toBe(true);
    const json = JSON.parse(JSON.stringify(diagnosticsJson(all)));
    expect(validateCheck(json), errorsOf(validateCheck)).toBe(true);
  });

  it('validates a missing file and an empty list', () => {
    expect(validateCheck(diagnosticsJson(compile(join(cases, 'no-such-file.arch'), nodeHost).diagnostics))).toBe(true);
    expect(validateCheck([])).toBe(true);
  });
});
