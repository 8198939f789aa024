// The generated module's public side: the checks each program makes of its
// inputs (as the CPU module's, with the same messages), and the Model API
// (forward, grad, step, state, load) on top of the engine (engine.ts).
import { isScalarShape, numel, type Size } from '../../compiler/ir/size.js';
import type { Model } from '../../compiler/model.js';
import { emitDims, emitInputChecks, emitPresence, type BindSpelling } from '../bind.js';
import type { Code } from '../code.js';
import type { HostParts } from './host.js';
import type { Program } from './program.js';
import { jsString } from '../escape.js';

const q = jsString;

/** Checks the inputs a program reads, binds run-time dims from them (targets/bind.ts), and returns them as typed arrays. */
export function emitBind(code: Code, model: Model, p: Program, size: (s: Size) => string): void {
  const input = (name: string) => `inputs[${q(name)}]`;
  const sp: BindSpelling = {
    given: (name) => `own(inputs, ${q(name)})`,
    length: (name) => `lengthOf(${input(name)})`,
    element: (name, k) => `(typeof ${input(name)} === 'number' ? ${input(name)} : ${input(name)}[${k}])`,
    dim: (d) => `d[${q(d)}]`,
    fixed: (d) => `given[${q(d)}]`,
    create: (dims) => `create(device, ${dims})`,
    size,
  };
  code.block(`function bind_${p.fn}(inputs)`, () => {
    code.line('const arrays = [];');
    emitPresence(code, p.inputs, sp);
    emitDims(code, model, p.inputs, sp);
    for (const i of p.inputs) {
      emitInputChecks(code, i, p.inputs, sp);
      const T = i.int ? 'Int32Array' : 'Float32Array';
      const v = input(i.name);
      code.line(`arrays.push([${q(i.name)}, ${v} instanceof ${T} ? ${v} : ${T}.from(typeof ${v} === 'number' ? [${v}] : ${v})]);`);
    }
    code.line('return arrays;');
  });
}

export function emitApi(code: Code, h: HostParts): void {
  const { model } = h;
  const hasProgram = (fn: string) => h.programs.some((p) => p.fn === fn);
  const pick = (kind: string) => (hasProgram(`${kind}_eval`) ? `(training ? ${q(`${kind}_train`)} : ${q(`${kind}_eval`)})` : q(`${kind}_train`));
  const grads = [...h.leaves.grads].map(([n, r]) => `[${q(n)}, ${isScalarShape(shapeOf(model, n))}]`);
  code.comment('forward: the loss and the outputs.');
  code.block('function forward(inputs)', () => {
    code.block('return serial(async () =>', () => {
      code.line(`const prog = ${pick('forward')};`);
      code.line('upload(BIND[prog](inputs));');
      code.line('const { loss, outputs } = L[prog];');
      code.line('const names = Object.keys(outputs);');
      code.line('const out = await submit(PROGRAMS[prog], [loss, ...names.map((n) => outputs[n])]);');
      code.line('const result = { loss: out[0], outputs: {} };');
      code.line('let at = 1;');
      code.block('for (const n of names)', () => {
        code.line('const size = outputs[n][2];');
        code.line(`result.outputs[n] = pick(out, at, size, OUTPUT_SCALAR[n]);`);
        code.line('at += size;');
      });
      code.line('return result;');
    }, '});');
  });
  code.line(`const OUTPUT_SCALAR = { ${[...model.outputs].map((o) => `${q(o.name)}: ${o.type.dims.length === 0}`).join(', ')} };`);
  code.comment('grad: the loss and every gradient, read back together.');
  code.line(`const GRADS = [${grads.join(', ')}];`);
  code.block('function grad(inputs)', () => {
    code.block('return serial(async () =>', () => {
      code.line(`const prog = ${pick('grad')};`);
      code.line('upload(BIND[prog](inputs));');
      code.line("const out = await submit(PROGRAMS[prog], [L[prog].loss, ['grads', 0, L.size.grads]]);");
      code.line('const result = { loss: out[0], grad: {} };');
      code.line('for (const [name, scalar] of GRADS) result.grad[name] = pick(out, 1 + L.grads[name][1], L.grads[name][2], scalar);');
      code.line('return result;');
    }, '});');
  });
  code.comment('step: gradient, optimizer update, new running statistics (training), in one command buffer; reads back the loss.');
  code.block('function step(inputs)', () => {
    code.block('return serial(async () =>', () => {
      code.line(`const prog = ${pick('grad')};`);
      code.line('upload(BIND[prog](inputs), rate(t + 1));');
      code.line("const commit = training && PROGRAMS[prog + '_commit'] ? PROGRAMS[prog + '_commit'] : [];");
      code.line('const out = await submit(PROGRAMS[prog], [L[prog].loss], [...PROGRAMS.optimizer, ...commit]);');
      code.line('t += 1;');
      code.line('return out[0];');
    }, '});');
  });
  code.comment('state(): params, optimizer slots (W.m, W.v, ...), running statistics (@name) and the step count; it also refreshes `params`.');
  code.block('function state()', () => {
    code.block('return serial(async () =>', () => {
      code.line('uploadParams();');
      code.line("const out = await submit([], [['params', 0, PARAMS_SIZE], ['optim', 0, OPTIM_SIZE]]);");
      code.line('const saved = {};');
      code.block('for (const [name, v] of Object.entries(params))', () => {
        code.line('v.set(out.subarray(PARAM_AT[name], PARAM_AT[name] + v.length));');
        code.line('saved[name] = v.slice();');
        code.line('SLOTS.forEach((s, k) => (saved[`${name}.${s}`] = out.slice(PARAMS_SIZE + k * PARAM_COUNT + PARAM_AT[name], PARAMS_SIZE + k * PARAM_COUNT + PARAM_AT[name] + v.length)));');
      });
      code.line('for (const [name, [, n]] of Object.entries(STATES)) saved[`@${name}`] = out.slice(PARAM_AT[name], PARAM_AT[name] + n);');
      code.line("saved['@step'] = Float32Array.of(t);");
      code.line('return saved;');
    }, '});');
  });
  code.comment('load(): the inverse of state(); anything missing keeps its value.');
  code.block('function load(saved)', () => {
    code.block('return serial(async () =>', () => {
      code.line('uploadParams();');
      code.line('const check = (key, v, n) => { if (v.length !== n) throw new Error(`state \'${key}\' has ${v.length} values; expected ${n}`); };');
      code.comment('A key the state does not have is a mistake (a misspelled or renamed param), never ignored.');
      code.line("const known = [...Object.keys(params).flatMap((name) => [name, ...SLOTS.map((s) => `${name}.${s}`)]), ...Object.keys(STATES).map((name) => `@${name}`), '@step'];");
      code.block('for (const key of Object.keys(saved))', () => {
        code.line("if (!known.includes(key)) throw new Error(`load(): the state has no entry '${key}'; its entries are ${known.join(', ')}`);");
      });
      code.block('for (const [name, v] of Object.entries(params))', () => {
        code.block('if (own(saved, name) !== undefined)', () => {
          code.line('check(name, saved[name], v.length);');
          code.line('v.set(saved[name]);');
          code.line('device.queue.writeBuffer(gpu.params, PARAM_AT[name] * 4, v);');
        });
        code.block('SLOTS.forEach((s, k) =>', () => {
          code.line('const x = own(saved, `${name}.${s}`);');
          code.line('if (x === undefined) return;');
          code.line('check(`${name}.${s}`, x, v.length);');
          code.line('device.queue.writeBuffer(gpu.optim, (k * PARAM_COUNT + PARAM_AT[name]) * 4, Float32Array.from(x));');
        }, '});');
      });
      code.block('for (const [name, [, n]] of Object.entries(STATES))', () => {
        code.line('const x = own(saved, `@${name}`);');
        code.line('if (x === undefined) continue;');
        code.line('check(`@${name}`, x, n);');
        code.line('device.queue.writeBuffer(gpu.params, PARAM_AT[name] * 4, Float32Array.from(x));');
      });
      code.line("if (own(saved, '@step') !== undefined) t = saved['@step'][0];");
    }, '});');
  });
  const predictProgram = h.programs.find((p) => p.kind === 'predict');
  code.comment('predict: the outputs alone, always in eval mode; only the inputs they read are needed.');
  code.block('function predict(inputs)', () => {
    if (!predictProgram) {
      code.line(`return Promise.reject(new Error(${q('the model declares no outputs: add one like `output p = softmax(F)` to use predict()')}));`);
      return;
    }
    code.block('return serial(async () =>', () => {
      code.line(`const prog = ${q(predictProgram.fn)};`);
      code.line('upload(BIND[prog](inputs));');
      code.line('const { outputs } = L[prog];');
      code.line('const names = Object.keys(outputs);');
      code.line('const out = await submit(PROGRAMS[prog], names.map((n) => outputs[n]));');
      code.line('const result = {};');
      code.line('let at = 0;');
      code.block('for (const n of names)', () => {
        code.line('result[n] = pick(out, at, outputs[n][2], OUTPUT_SCALAR[n]);');
        code.line('at += outputs[n][2];');
      });
      code.line('return result;');
    }, '});');
  });
  code.line(`const BIND = { ${h.programs.map((p) => `${p.fn}: bind_${p.fn}`).join(', ')} };`);
  code.comment("Every kernel's pipeline is made now, all at once (createComputePipelineAsync), so the first call does not wait for them; opts.pipelines = 'lazy' makes each on its first use.");
  code.line("if (opts.pipelines !== 'lazy') await prepare(Object.values(PROGRAMS).flat());");
  code.line('return { params, shapes, forward, grad, predict, step, state, load, dispose, train() { training = true; }, eval() { training = false; } };');
}

function shapeOf(model: Model, name: string): readonly [Size, Size] {
  return (model.params.find((p) => p.name === name) ?? model.inputs.find((i) => i.name === name))!.shape;
}
