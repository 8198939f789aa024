// MODEL.gpu.js: the host module of the WGSL target, with the CPU module's
// Model API (asynchronous where it reads back). It imports nothing: the shaders
// are inside it as text (MODEL.wgsl beside it holds the same), and create()
// takes any GPUDevice. Params are initialized on the CPU with the CPU module's
// formulas and random streams, so both modules start from the same numbers.
import type { Node } from '../../compiler/ir/node.js';
import { numel, type Size } from '../../compiler/ir/size.js';
import type { Model } from '../../compiler/model.js';
import { hash3, normal, uniform } from '../../compiler/random.js';
import { Code } from '../code.js';
import { initExpr } from '../init.js';
import { fromRowsSource } from '../rows.js';
import { lit, OPTIMIZER_SLOTS, scheduleExpr } from '../optimizer.js';
import { ENGINE } from './engine.js';
import { emitApi, emitBind } from './host-api.js';
import type { Kernel } from './kernel.js';
import type { LeafLayout, Region } from './layout.js';
import type { Program } from './program.js';
import { BINDINGS, bindingsOf } from './shader.js';
import { jsString } from '../escape.js';

export interface HostParts {
  model: Model;
  wgsl: string;
  leaves: LeafLayout;
  programs: Program[];
  optimizer: Kernel[];
  optimSize: Size;
  /** Run-time dims, in the uniform's order. */
  dims: string[];
  header: string[];
}

const q = jsString;

export function emitHost(h: HostParts): string {
  const { model } = h;
  const size = (s: Size) => s.toCode((dim) => `d[${q(dim)}]`);
  const code = new Code();
  for (const l of h.header) code.comment(l);
  code.line();
  code.comment('The shaders (the same text as the .wgsl file beside this module).');
  code.line(`const WGSL = ${q(h.wgsl)};`).line();
  code.comment("A value by the user's name, never one every object inherits (a tensor may be called `constructor`).");
  code.line('const own = (o, k) => (o != null && Object.hasOwn(o, k) ? o[k] : undefined);').line();
  code.comment('Counter-based random numbers: the same draws as the CPU module, for the params.');
  for (const f of [hash3, uniform, normal]) code.lines(f.toString()).line();
  code.comment('Each program: its kernels in order (entry point, bindings [binding, buffer, type], workgroups for the dims d).');
  code.block('export function kernels(d)', () => {
    code.block('return', () => {
      for (const p of h.programs) {
        code.line(`${p.fn}: ${kernelTable(p.kernels, size)},`);
        if (p.commit.length) code.line(`${p.fn}_commit: ${kernelTable(p.commit, size)},`);
      }
      code.line(`optimizer: ${kernelTable(h.optimizer, size)},`);
    }, '};');
  });
  code.line();
  code.lines(fromRowsSource('Float32Array')).line();
  code.block('export async function create(device, opts = {})', () => {
    code.line('const seed = opts.seed ?? 0;');
    code.comment('Run-time dims: given to create(), or read from the inputs at each call.');
    code.line('const d = Object.create(null);').line('const given = Object.create(null);');
    code.line(`const DIMS = ${JSON.stringify(h.dims)};`);
    code.block('for (const name of DIMS)', () => {
      code.line('d[name] = own(opts.dims, name) ?? 0;');
      code.line('given[name] = own(opts.dims, name) !== undefined;');
    });
    code.line('let training = true;').line('let t = 0;');
    emitParams(code, model, size);
    emitLayout(code, h, size);
    code.comment('The shader module, checked once.');
    code.line('const module = device.createShaderModule({ code: opts.wgsl ?? WGSL });');
    code.line('const info = await module.getCompilationInfo();');
    code.line("const errors = info.messages.filter((m) => m.type === 'error');");
    code.line("if (errors.length) throw new Error(`the WGSL does not compile: ${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`);");
    code.line('const PROGRAMS = kernels(d);');
    code.lines(ENGINE).line();
    code.line("const lengthOf = (v) => (typeof v === 'number' ? 1 : v.length);");
    for (const p of h.programs) emitBind(code, model, p, size);
    emitApi(code, h);
  });
  return code.toString();
}

function kernelTable(kernels: Kernel[], size: (s: Size) => string): string {
  const rows = kernels.map((k) => {
    const bindings = bindingsOf(k.text).map((r) => `[${BINDINGS[r].binding}, ${q(r)}, ${q(BINDINGS[r].type)}]`);
    const groups = k.dispatch.map((g) => {
      const c = g.count.constant;
      if (c !== undefined) return String(Math.min(g.cap ? 65535 : Infinity, Math.ceil(c / g.per)));
      const n = `Math.ceil(${size(g.count)} / ${g.per})`;
      return g.cap ? `Math.min(65535, ${n})` : n;
    });
    return `[${q(k.entry)}, [${bindings.join(', ')}], () => [${groups.join(', ')}]]`;
  });
  return rows.length ? `[\n      ${rows.join(',\n      ')},\n    ]` : '[]';
}

function emitParams(code: Code, model: Model, size: (s: Size) => string): void {
  code.comment('Params on the CPU, initialized as the CPU module does; uploaded at the first call (later changes: load()).');
  code.line('const params = {};').line('const shapes = {};');
  model.params.forEach((p, index) => {
    for (const dim of new Set(p.type.dims.flatMap((x) => x.dims))) {
      code.line(`if (!given[${q(dim)}]) throw new Error(${q(`param '${p.name}' is sized by dim '${dim}', which has no value: pass create(device, { dims: { ${dim}: … } })`)});`);
    }
    const shape = `[${p.type.dims.map(size).join(', ')}]`;
    code.comment(`${p.name} : ${shape === '[]' ? 'scalar' : shape}${p.value !== undefined ? ' = (value in the model)' : ` ~ ${p.init.name}`}`);
    code.block('', () => {
      code.line(`const v = new Float32Array(${size(numel(p.shape))});`);
      if (p.value !== undefined) code.line(`v.set(${JSON.stringify([p.value].flat(3))});`);
      else {
        const e = initExpr(p, index + 1, size);
        if (e !== '0') code.line(`for (let k = 0; k < v.length; k++) v[k] = ${e};`);
      }
      code.line(`params[${q(p.name)}] = v;`).line(`shapes[${q(p.name)}] = ${shape};`);
    });
  });
}

/** Element offsets of everything in the packed buffers, and the functions that write params and the uniform. */
function emitLayout(code: Code, h: HostParts, size: (s: Size) => string): void {
  const { model, leaves } = h;
  const region = (r: Region) => `[${q(r.buffer)}, ${size(r.at)}, ${size(r.size)}]`;
  code.comment('Where params and running statistics live in `params` (fixed once the dims of create() are known).');
  code.line(`const PARAM_AT = { ${[...leaves.params].map(([n, r]) => `${q(n)}: ${size(r.at)}`).join(', ')} };`);
  code.line(`const PARAM_COUNT = ${size(leaves.paramCount)};`);
  code.line(`const PARAMS_SIZE = ${size(leaves.size.params)};`);
  code.line(`const OPTIM_SIZE = ${size(h.optimSize)};`);
  code.line(`const SLOTS = ${JSON.stringify(OPTIMIZER_SLOTS[model.optimizer.name] ?? [])};`);
  code.line(`const STATES = { ${model.states.map((s) => `${q(s.name)}: [${s.init}, ${size(numel(s.shape))}]`).join(', ')} }; // name: [initial value, size]`);
  code.comment('Where the rest lives, for the current dims: [buffer, offset, size] in elements.');
  code.block('function layout()', () => {
    code.block('return', () => {
      const work = h.programs.map((p) => size(p.layout.workSize));
      code.line(`size: { inputs: ${size(leaves.size.inputs)}, ints: ${size(leaves.size.ints)}, grads: ${size(leaves.size.grads)}, work: Math.max(${work.join(', ')}) },`);
      code.line(`inputs: { ${[...leaves.inputs].map(([n, r]) => `${q(n)}: ${region(r)}`).join(', ')} },`);
      code.line(`grads: { ${[...leaves.grads].map(([n, r]) => `${q(n)}: ${region(r)}`).join(', ')} },`);
      for (const p of h.programs) {
        const at = (n: Node) => region(p.layout.region(n)!);
        const outs = () => [...p.graph.outputs].map(([n, node]) => `${q(n)}: ${at(node)}`).join(', ');
        const loss = p.kind === 'predict' ? [] : [`loss: ${at(p.graph.loss)}`];
        code.line(`${p.fn}: { ${[...loss, ...(p.kind === 'grad' ? [] : [`outputs: { ${outs()} }`])].join(', ')} },`);
      }
    }, '};');
  });
  code.comment('Params and the initial running statistics go to the GPU before the first call.');
  code.line('let uploaded = false;');
  code.block('function uploadParams()', () => {
    code.line('if (uploaded) return;');
    code.line('uploaded = true;');
    code.line('for (const [name, v] of Object.entries(params)) device.queue.writeBuffer(gpu.params, PARAM_AT[name] * 4, v.buffer, v.byteOffset, v.byteLength);');
    code.line('for (const [name, [init, n]] of Object.entries(STATES)) device.queue.writeBuffer(gpu.params, PARAM_AT[name] * 4, new Float32Array(n).fill(init));');
  });
  emitRun(code, h);
}

/** The uniform: run-time dims, seed, step count, and the learning rate (with Adam's corrections) of a step. */
function emitRun(code: Code, h: HostParts): void {
  const fields = h.dims.length + 5;
  code.line(`const RUN_BYTES = ${Math.ceil((fields * 4) / 16) * 16};`);
  code.block('function writeRun({ lr = 0, c1 = 1, c2 = 1 } = {})', () => {
    code.line('const run = new ArrayBuffer(RUN_BYTES);');
    code.line('const u32 = new Uint32Array(run);');
    code.line('const f32 = new Float32Array(run);');
    code.line('DIMS.forEach((name, k) => (u32[k] = d[name]));');
    const n = h.dims.length;
    code.line(`u32[${n}] = seed;`).line(`u32[${n + 1}] = t;`);
    code.line(`f32[${n + 2}] = lr;`).line(`f32[${n + 3}] = c1;`).line(`f32[${n + 4}] = c2;`);
    code.line('device.queue.writeBuffer(gpu.run, 0, run);');
  });
  const opt = h.model.optimizer;
  code.comment(`The rate of step t: ${opt.name}, schedule ${h.model.schedule.name}.`);
  code.block('function rate(t)', () => {
    code.line(`const lr0 = ${lit(opt.args.lr ?? 0)};`);
    code.line(`const lr = ${scheduleExpr(h.model.schedule)};`);
    if (opt.name === 'adam') code.line(`return { lr, c1: 1 - Math.pow(${lit(opt.args.beta1)}, t), c2: 1 - Math.pow(${lit(opt.args.beta2)}, t) };`);
    else code.line('return { lr };');
  });
}
