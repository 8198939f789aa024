// The torch module as text (no python needed): docs/torch.md shows exactly what
// `--emit torch` prints for digits, and every equation of every example is one
// commented line of the forward pass.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitTorchModule } from '../../targets/torch/module.js';
import { compileOk } from '../helpers/run.js';
import { ROOT } from './util.js';

const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');
const emit = (f: string) => emitTorchModule(compileOk(read(f)), { source: f.split('/').pop(), modelText: read(f) });

describe('the torch module as text', () => {
  it("docs/torch.md shows digits' forward pass as gradc prints it", () => {
    const text = emit('examples/digits.nn');
    const forward = /^ {4}def _forward_train[\s\S]*?\n {8}return \{.*\n/mu.exec(text)![0];
    expect(read('docs/torch.md')).toContain(forward);
  });

  it('every equation of every example has its .nn line as a comment in the forward pass', () => {
    const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.nn'));
    expect(examples.length).toBeGreaterThan(5);
    let seen = 0;
    for (const f of examples) {
      const text = emit(`examples/${f}`);
      const equations = read(`examples/${f}`).split('\n').filter((l) => /^\s*(loss|output)?\s*[\p{L}_][\p{L}\p{N}_]*\s*=(?!=)/u.test(l) && !/^\s*(param|input|const|dim|def)\b/u.test(l));
      for (const e of equations) expect(text, `${f}: ${e}`).toContain(`# ${e.trim()}`);
      seen += equations.length;
    }
    expect(seen).toBeGreaterThanOrEqual(20);
  });
});
