// Command-line papercuts: a typo'd command names the right one, usage hints
// name the command's own --help, an unknown --dim is a command-line error
// (exit 2), a param sized by an unbound dim is an error at the param, and
// Dawn's device warnings are filtered from stderr.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NoiseFilter, usesGpu } from '../bin/launch.js';
import { gradc } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gradc-cli-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const model = file('m.nn', 'dim N\nparam W : [3, 2]\ninput X : [2, N]\ninput y : [N] int\nloss J = mean(softmax_cross_entropy(W X, y))\n');

describe('command-line papercuts', () => {
  it('a typo of a command suggests the command', async () => {
    const r = await gradc('chek', model);
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown command 'chek' (did you mean 'check'?)");
    expect(r.err).not.toContain('too many arguments');
    expect((await gradc('expalin', model)).err).toContain("did you mean 'explain'?");
    expect((await gradc('frobnicate', model)).err).toContain("unknown command 'frobnicate' (commands: compile, grad");
  });

  it("a usage error's hint names the command's own --help", async () => {
    const r = await gradc('grad', model, '--dim', 'N=x');
    expect(r.code).toBe(2);
    expect(r.err).toContain("Try 'gradc grad --help'.");
    expect((await gradc('check', model, '--tol', '-1')).err).toContain("Try 'gradc check --help'.");
  });

  it('an unknown --dim is a command-line error (exit 2), not a caret at 1:1', async () => {
    const r = await gradc('grad', model, '--dim', 'Q=3');
    expect(r.code).toBe(2);
    expect(r.err).toContain("gradc: error: --dim Q: the model has no dim 'Q'");
    expect(r.err).not.toContain(':1:1:');
    expect((await gradc(model, '--dim', 'Q=3', '--emit', 'grad')).code).toBe(2);
  });

  it('a param sized by a dim with no value is an error at the param, exit 1', async () => {
    const q = file('q.nn', 'dim Q\nparam W : [Q, 3]\ninput x : [3]\nloss s = sum(W x)\n');
    for (const cmd of ['grad', 'check', 'explain', 'hessian']) {
      const r = await gradc(cmd, q);
      expect(r.code, r.err).toBe(1);
      expect(r.err).toContain(`${q}:2:7: error: param 'W' is sized by dim 'Q', which has no value: give it with --dim Q=…`);
      expect(r.err).toContain('param W : [Q, 3]\n      ^');
      expect(r.err).not.toContain('internal error');
    }
    expect((await gradc('grad', q, '--dim', 'Q=2')).code).toBe(0);
  });

  it("Dawn's device warnings are dropped from stderr, everything else passes", () => {
    let out = '';
    const f = new NoiseFilter((s) => (out += s));
    f.push('note: one\nWarning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.\nWarn');
    f.push('ing: maxDynamicStorageBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.\n');
    f.push('epoch 1 [===   ]\r');
    f.push('Warning: something else\n');
    f.end();
    expect(out).toBe('note: one\nepoch 1 [===   ]\rWarning: something else\n');
    expect(usesGpu(['grad', 'm.nn', '--target', 'wgsl'])).toBe(true);
    expect(usesGpu(['train', 'm.nn', '--target=wgsl'])).toBe(true);
    expect(usesGpu(['grad', 'm.nn'])).toBe(false);
  });

  it('gradc MODEL.nn --json prints the summary as one JSON object', async () => {
    const out = mkdtempSync(join(tmpdir(), 'gradc-json-'));
    const r = await gradc(model, '-o', out, '--json');
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out);
    expect(s).toMatchObject({ model: 'm.nn', loss: 'J', param_count: 6, params: [{ name: 'W', shape: ['3', '2'], init: 'xavier' }] });
    expect(s.inputs.map((i: { name: string }) => i.name)).toEqual(['X', 'y']);
    expect(s.wrote.map((f: string) => f.slice(out.length + 1))).toEqual(expect.arrayContaining(['m.js', 'm.d.ts', 'm.gpu.js', 'm.wgsl', 'm.gpu.d.ts', 'm.js.map']));
  });

  it('a data message names a column as --columns counts it', async () => {
    const data = file('d.csv', '1,2,0\n3,x,1\n');
    const r = await gradc('train', model, '--data', data, '--epochs', '1');
    expect(r.code).toBe(1);
    const col = /column (\d+) \(X\[1\]\)/u.exec(r.err);
    expect(col, r.err).not.toBeNull();
    // The same number given to --columns points at the same field.
    const again = await gradc('train', model, '--data', data, '--epochs', '1', '--columns', `X=0+${col![1]},y=2`);
    expect(again.err).toContain(`column ${col![1]} (X[1]): 'x' is not a number`);
  });
});
