// Item 2 of issue 10: every name Object.prototype defines, used as a param,
// an input, a dim and an output, behaves like any other name in the command
// line, the values files, the generated JS module and load(); and load() with
// a key the state does not have is an error naming the key and the known ones.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../compiler/compile.js';
import { instantiate } from '../../runtime/instantiate.js';
import { expectContract, gradc, tempDirs } from './cli.js';

const tmp = tempDirs('gradc-names-');

/** The Object.prototype members a .nn identifier can spell (those starting with `_` are not identifiers). */
const MEMBERS = Object.getOwnPropertyNames(Object.prototype);
const NAMES = MEMBERS.filter((n) => /^\p{L}[\p{L}\p{N}_]*$/u.test(n));

describe('Object.prototype member names', () => {
  it('covers the members that are identifiers, and refuses the others as names', () => {
    expect(NAMES.length).toBeGreaterThanOrEqual(6);
    for (const n of MEMBERS.filter((m) => !NAMES.includes(m))) {
      const r = compileSource(`param ${n}\nloss f = ${n} * ${n}`);
      expect(r.model, n).toBeUndefined();
    }
  });

  for (const name of NAMES) {
    it(`'${name}' as a param, an input, a dim and an output`, async () => {
      const dir = tmp();
      const write = (f: string, text: string) => (writeFileSync(join(dir, f), text), join(dir, f));
      const run = async (...args: string[]) => {
        const r = await gradc(...args);
        expectContract(r, `${name}: ${args.join(' ')}`);
        expect(r.code, r.err).toBe(0);
        return r;
      };
      // A param with no value in --at (its initializer fills it), and one given by the values file.
      const asParam = write('param.nn', `dim N\nparam ${name} : [2]\ninput X : [2, N]\nloss L = sum(${name}ᵀ X)`);
      const X = write('x.json', JSON.stringify({ X: [[1, 2, 3], [4, 5, 6]] }));
      expect(JSON.parse((await run('grad', asParam, '--at', X)).out).grad[name]).toEqual([6, 15]);
      await run('check', asParam, '--at', X);
      const given = write('given.json', JSON.stringify({ [name]: [1, 2], X: [[1], [2]] }));
      expect(JSON.parse((await run('grad', asParam, '--at', given)).out).loss).toBe(5);
      // A run-time dim: bound from an input, or given on the command line.
      const asDim = write('dim.nn', `dim ${name}\nparam w : [2] = [1, 1]\ninput X : [2, ${name}]\nloss L = sum(wᵀ X)`);
      expect(JSON.parse((await run('grad', asDim, '--at', X)).out).loss).toBe(21);
      expect(JSON.parse((await run('grad', asDim, '--at', X, '--dim', `${name}=3`)).out).loss).toBe(21);
      const d = await gradc('grad', asDim, '--at', X, '--dim', `${name}=2`);
      expect(d.code).toBe(1);
      expect(d.err).toMatch(/x\.json: error: 'X' has shape \[2, 3\]/u);
      // An input, given and missing.
      const asInput = write('input.nn', `param w : [2] = [1, 2]\ninput ${name} : [2]\nloss L = sum(w * ${name})`);
      expect(JSON.parse((await run('grad', asInput, '--at', write('i.json', JSON.stringify({ [name]: [3, 4] })))).out).loss).toBe(11);
      // A values file that misses the input is an error naming it (without --at, inputs are filled at random).
      const missing = await gradc('grad', asInput, '--at', write('empty.json', '{}'));
      expect(missing.code).toBe(1);
      expect(missing.err).toContain(`no value for input '${name}'`);
      // An output.
      const asOutput = write('output.nn', `param w : [2] = [1, 2]\noutput ${name} = 2 * w\nloss L = sum(w * w)`);
      expect(JSON.parse((await run('grad', asOutput)).out).outputs[name]).toEqual([2, 4]);
      // A compiled module for each, written and imported.
      await run(asParam, '-o', join(dir, 'out'), '--target', 'js');

      // The generated module: a missing input named like a member is reported, not read from the prototype.
      const m = compileSource(`param w : [2]\ninput ${name} : [2]\nloss L = sum(w * ${name})`).model!;
      const live = await instantiate(m, { precision: 'f64' });
      expect(() => live.grad({})).toThrow(`missing input '${name}'`);
      expect(live.grad({ [name]: Float64Array.of(1, 2) }).grad.w).toEqual(Float64Array.of(1, 2));
      // A run-time dim named like a member is not read from the prototype of create()'s dims.
      const sized = compileSource(`dim ${name}\nparam w : [${name}]\nloss L = sum(w)`).model!;
      await expect(instantiate(sized, { dims: {} })).rejects.toThrow(`sized by dim '${name}', which has no value`);
      expect((await instantiate(sized, { dims: { [name]: 4 } })).params.w).toHaveLength(4);
      // load() of a partial state keeps what it does not name.
      const p = await instantiate(compileSource(`param ${name} = 1.5\nparam q = 2\nloss L = ${name} * q`).model!);
      p.load({ q: Float32Array.of(3) });
      expect(p.params[name]![0]).toBe(1.5);
      expect(p.params.q![0]).toBe(3);
    });
  }
});

describe('load()', () => {
  it('refuses a key the state does not have, naming it and the known ones', async () => {
    const m = await instantiate(compileSource('param W : [2]\nparam b\noptimizer adam(lr = 0.1)\nloss L = sum(W) * b').model!);
    expect(() => m.load({ Wx: Float32Array.of(1, 2) })).toThrow(/'Wx'.*W, b, W\.m, W\.v, b\.m, b\.v, @step/u);
    expect(() => m.load({ 'W.mm': Float32Array.of(1, 2) })).toThrow(/'W\.mm'/u);
    m.load({ W: Float32Array.of(5, 6) });
    expect(Array.from(m.params.W!)).toEqual([5, 6]);
  });
});
