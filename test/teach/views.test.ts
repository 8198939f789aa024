// Teaching views past an MLP: on batchnorm + dropout + an embedding, --emit grad
// names each repeated subexpression once, speaks the user's words (dropout,
// not a mask; no internal op names), keeps lines short; LaTeX prints softmax;
// explain says what the values it names t1, t2, … are.
import { describe, expect, it } from 'vitest';
import { EMITTERS } from '../../bin/commands/compile.js';
import { formatTrace, trace } from '../../compiler/teach/trace.js';
import { compile, values } from './util.js';

const BN = `dim d = 4, h = 6, C = 3, V = 7, N
input ids : [N] int
input y : [N] int
param E : [d, V] ~ normal(1)
param W1 : [h, d] ~ he
param g : [h] ~ ones
param be : [h] ~ zeros
param W2 : [C, h] ~ xavier
z = W1 E[:, ids]
a = relu(batchnorm(z, g, be))
r = dropout(a, 0.5)
f = W2 r
output p = softmax(f)
loss J = mean(softmax_cross_entropy(f, y))
`;

describe('--emit grad on batchnorm, dropout and a lookup', () => {
  for (const mode of [false, true]) {
    it(mode ? 'eval mode' : 'train mode', async () => {
      const text = (await EMITTERS.grad!(compile(BN), 'bn.nn', { eval: mode })) as string;
      // Each repeated subexpression is spelled once, then used by name.
      expect(text.split('sum(z, axis=1) / N').length - 1).toBeLessThanOrEqual(1);
      // The user's words: no internal ops.
      for (const internal of ['mask0', 'mask(', 'scatter_cols', 'reshape', 'gathercols']) expect(text).not.toContain(internal);
      if (!mode) expect(text).toContain('dropout(a, 0.5)');
      // Short lines: wrapped before an operator (the comment may follow the first line).
      for (const line of text.split('\n')) expect(line.split('   # ')[0]!.length, line).toBeLessThanOrEqual(100);
      // Every name is defined before it is used.
      const defined = new Set(['N', 'ids', 'y', 'E', 'W1', 'g', 'be', 'W2']);
      for (const line of text.split('\n')) {
        const m = /^(\S+) = (.*?)(?:   #.*)?$/u.exec(line);
        if (!m) continue;
        for (const used of m[2]!.match(/\b(t\d+|δ_\w+)\b/gu) ?? []) expect(defined.has(used), `${used} used before its line in\n${text}`).toBe(true);
        defined.add(m[1]!);
      }
    });
  }
});

describe('LaTeX in the user’s words', () => {
  it('prints softmax and log_softmax, not exp(f − logsumexp(f)); dropout, not a mask', async () => {
    const tex = (await EMITTERS.latex!(compile(BN), 'bn.nn', {})) as string;
    expect(tex).toContain('\\operatorname{softmax}\\left( f\\right)');
    expect(tex).toContain('\\operatorname{log\\_softmax}');
    expect(tex).not.toContain('logsumexp');
    expect(tex).toContain('\\operatorname{dropout}');
    expect(tex).not.toMatch(/m_\{\d+\}/u);
  });
});

describe('explain names what the user never wrote', () => {
  it('t1, t2, … come with the equation they are part of', async () => {
    const model = compile('param x = 1, y = 2, z = 0\nf = (x + y) * max(y, z)\nloss f\n');
    const text = formatTrace(trace(model, { ...(await values(model)), mode: 'train' }));
    expect(text).toContain('(t1…t2: values inside your equations that have no name in the model; named here to follow them)');
    expect(text).toMatch(/t1 = x \+ y = 3\s+# a part of the equation for f \(line 2\)/u);
  });
});

describe('the graph, laid out by equation', () => {
  it('one cluster per equation, forward and backward; constants drawn beside each use; top to bottom', async () => {
    const dot = (await EMITTERS.dot!(compile(BN), 'bn.nn', {})) as string;
    expect(dot).toContain('rankdir=TB');
    for (const [eq, line] of [['z', 9], ['a', 10], ['r', 11], ['f', 12], ['J', 14]] as const) {
      expect(dot).toContain(`label="${eq} (line ${line})"`);
    }
    expect(dot).toContain('label="∂ through a (line 10)"');
    // Each constant node feeds exactly one node.
    const consts = [...dot.matchAll(/^\s*(n\d+_n\d+_\d+) \[shape=plaintext/gmu)].map((m) => m[1]!);
    expect(consts.length).toBeGreaterThan(0);
    for (const c of consts) expect(dot.split(`${c} -> `).length - 1).toBe(1);
    expect(dot).toContain('dropout mask (p = 0.5)');
  });
});
