// `gradc MODEL.nn` reports the size of the grad program: the number of loop
// nests and of buffers the emitted module really has, read back from its text
// (each step of grad_train_run opens with one comment block; the buffers are
// the grad_train_buf variables it declares).
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summary } from '../../bin/commands/compile.js';
import { emitJsModule } from '../../targets/js/module.js';
import { compileOk } from '../helpers/run.js';

const dir = resolve(import.meta.dirname, '../../examples');
const examples = readdirSync(dir).filter((f) => f.endsWith('.nn')).sort();

/** Steps and buffers of grad_train, counted in the module's text. */
function counted(text: string): { steps: number; buffers: number } {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^ {2}function grad_train_run\(/.test(l));
  const end = lines.findIndex((l, i) => i > start && l === '  }');
  let steps = 0;
  for (let i = start + 1; i < end; i++) {
    // A comment at the function body's depth that does not continue the one above starts a step.
    if (/^ {4}\/\/ /.test(lines[i]!) && !/^ {4}\/\/ /.test(lines[i - 1]!)) steps++;
  }
  const decl = lines.find((l) => /^ {2}let grad_train_buf0[,;]/.test(l));
  return { steps, buffers: decl ? decl.split(',').length : 0 };
}

describe('the summary of gradc MODEL.nn', () => {
  it.for(examples)('%s: loops and buffers are those of the emitted module', (f) => {
    const model = compileOk(readFileSync(resolve(dir, f), 'utf8'));
    const line = summary(model, f, []).split('\n').find((l) => l.startsWith('grad program:'));
    const want = counted(emitJsModule(model));
    expect(want.steps).toBeGreaterThan(0);
    expect(line).toBe(`grad program: ${want.steps} loops, ${want.buffers} buffers`);
  });

  it('digits.nn: 18 loops, 11 buffers, as its module has them', () => {
    const model = compileOk(readFileSync(resolve(dir, 'digits.nn'), 'utf8'));
    expect(counted(emitJsModule(model))).toEqual({ steps: 18, buffers: 11 });
  });
});
