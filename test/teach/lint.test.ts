// The stability lint: NaN risks reported as warnings at their place.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { lint } from '../../compiler/teach/lint.js';
import { formatDiagnostic } from '../../grammar/diagnostics.js';
import { compile, conformance, examples } from './util.js';

const at = (source: string) => lint(compile(source)).map((d) => `${d.loc.line}:${d.loc.col} ${d.message}`);

describe('stability lint', () => {
  it('warns at log, sqrt and division of values that can reach zero', () => {
    const src = [
      'param w : [3] ~ normal(1)', // 1
      'input x : [3]', // 2
      'a = log(w ⊙ x)', // 3
      'b = sqrt(sum(w^2)) + norm(x)', // 4
      'c = sum(a) / sum(x)', // 5
      'e = log(exp(w) + 1) + sqrt(sum(w^2) + 1e-8) + sum(w) / (sum(w^2) + 1)', // 6: all safe
      'loss L = c + b + sum(e)', // 7
    ].join('\n');
    const w = at(src);
    expect(w).toHaveLength(4);
    expect(w[0]).toMatch(/^3:5 log of a value that can be zero or negative: log\(w ⊙ x\)/);
    expect(w[1]).toMatch(/^4:5 square root of a value that can be zero or negative: √\(sum\(w\^2\)\) has an infinite derivative at 0/);
    expect(w[2]).toMatch(/^4:22 square root/); // norm(x) is √(Σx²): at its call
    expect(w[3]).toMatch(/^5:12 division by a value that can be zero: sum\(x\)/);
  });

  it('warns at log(sigmoid(…)) and a softmax or sigmoid computed by hand, not at the rewritten forms', () => {
    const src = [
      'param w : [3] ~ normal(1)', // 1
      'input x : [3]', // 2
      'def mysig(z) = 1 / (1 + exp(-z))', // 3
      'd = log(sigmoid(wᵀ x)) + log(mysig(wᵀ x))', // 4
      'p = exp(w) / sum(exp(w))', // 5
      'e = sum(log(p))', // 6
      'g = sum(log(softmax(w))) + log(sum(exp(w)))', // 7: rewritten, or positive: fine
      'loss L = d + e + g', // 8
    ].join('\n');
    const w = at(src);
    expect(w).toHaveLength(3);
    expect(w[0]).toMatch(/^4:5 log\(sigmoid\(wᵀ x\)\) is -∞ once σ underflows to 0 .*-softplus/);
    expect(w[1]).toMatch(/^4:26 log of a sigmoid computed by hand/);
    expect(w[2]).toMatch(/^6:9 log of a softmax computed by hand \(exp\(w\) \/ sum\(exp\(w\)\)\).*log_softmax/);
  });

  it('looks through a pick: -log(pick(softmax by hand, y))', () => {
    const src = 'param W : [3, 4] ~ xavier\ninput x : [4]\ninput y : int\np = exp(W x) / sum(exp(W x))\nloss J = -log(pick(p, y))\n';
    expect(at(src)).toEqual([expect.stringMatching(/^5:11 log of a softmax computed by hand/)]);
    const stable = 'param W : [3, 4] ~ xavier\ninput x : [4]\ninput y : int\nloss J = -log(pick(softmax(W x), y))\n';
    expect(at(stable)).toEqual([]);
  });

  it('warns at a division or log inside a where branch whose gradient is computed', () => {
    const src = [
      'param w : [3] ~ normal(1)', // 1
      'input x : [3]', // 2
      'f = sum(where(w > 0, log(w + 1), 0))', // 3: the gradient of log(w + 1) runs where w ≤ 0 too
      'g = sum(where(x > 0, 1 / x, 0))', // 4: x is not differentiated: no gradient, no risk
      'loss L = f + g + sum(w)', // 5
    ].join('\n');
    const w = at(src).filter((m) => m.includes('where'));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^3:9 where\(…\) computes the gradient of both branches: the log in log\(w \+ 1\)/);
  });

  it('prints in the contract form, with the caret under the call', () => {
    const src = 'param w : [3]\nloss L = sum(log(w))\n';
    const [d] = lint(compile(src));
    expect(formatDiagnostic('m.nn', src, d!)).toBe('m.nn:2:14: warning: log of a value that can be zero or negative: log(w) is -∞ or NaN there (add a positive epsilon, or keep the argument positive)\nloss L = sum(log(w))\n             ^~~');
  });

  it.each([...examples, ...conformance.map((c) => c.file)].map((f) => [f.split('/').slice(-2).join('/'), f] as const))('says nothing about %s', (_, f) => {
    const src = readFileSync(f, 'utf8');
    expect(lint(compile(src))).toEqual([]);
  });
});
