// One program (forward or grad, in train or eval mode) as a list of kernels:
// the shared plan, with scalars in one-element buffers, placed in the packed
// buffers (layout.ts), its steps grouped into kernels (fuse.ts), each kernel
// spelled by its kind; then the copies that put gradients computed elsewhere
// into their place in `grads`.
import type { Node } from '../../compiler/ir/node.js';
import type { Graph, InputInfo, Model } from '../../compiler/model.js';
import type { ModuleProgram, ProgramKind } from '../../compiler/program.js';
import type { Spelling } from '../expr.js';
import { describer, displayNames } from '../describe.js';
import { inputsRead, plan, type Plan } from '../plan.js';
import { fuse } from './fuse.js';
import { emitMap, KernelCx, WG, type Kernel, type ProgramEnv } from './kernel.js';
import { placeGrads, programLayout, type LeafLayout, type ProgramLayout, type Region } from './layout.js';
import { emitTiled } from './matmul.js';
import type { WgslNames } from './names.js';
import { emitReduce } from './reduce.js';
import { wgslComment } from '../escape.js';

export type { ProgramKind };

export interface Program {
  /** forward_train, grad_train, forward_eval, grad_eval, predict_eval. */
  fn: string;
  kind: ProgramKind;
  mode: 'train' | 'eval';
  graph: Graph;
  plan: Plan;
  layout: ProgramLayout;
  kernels: Kernel[];
  /** Kernels that `step` runs after the optimizer: new running statistics into their place. */
  commit: Kernel[];
  /** The inputs the program reads. */
  inputs: InputInfo[];
}

export interface ModuleEnv {
  model: Model;
  leaves: LeafLayout;
  names: WgslNames;
  spell: Spelling;
  size: ProgramEnv['size'];
  /** The model's file name, for the comments that trace each kernel to it. */
  source: string;
}

/** Lowers one of the module's programs (compiler/program.ts decides which, and their roots). */
export function lowerProgram(env: ModuleEnv, prog: ModuleProgram): Program {
  const { model, leaves } = env;
  const { fn, kind, mode, graph, roots } = prog;
  const updates = kind === 'grad' && mode === 'train' ? [...graph.updates.values()] : [];
  const p = plan(roots, { scalarsInBuffers: true });
  const grads = kind === 'grad' ? graph.grads : new Map<string, Node>();
  const groups = fuse(p, placeGrads(p, grads));
  const layout = programLayout(p, leaves, grads, new Set(groups.flatMap((g) => [...g.stored])));
  const display = displayNames(model, graph);
  const penv: ProgramEnv = { model, plan: p, layout, spell: env.spell, size: env.size, display, describe: describer(model, p, env.source, display) };

  const kernels = groups.map((group, k) => {
    const cx = new KernelCx(penv, env.names, group);
    const entry = env.names.fresh(`${fn}_${k}_${penv.display(group.steps[0]!)}`);
    return group.kind === 'tiled' ? emitTiled(cx, entry) : group.kind === 'reduce' ? emitReduce(cx, entry) : emitMap(cx, entry);
  });
  for (const g of layout.gather) {
    kernels.push(emitCopy(env, env.names.fresh(`${fn}_gather_${g.name}`), g.from, g.to, `∂/∂${g.name}: the gradient is computed elsewhere; copy it into its place`));
  }
  const commit = [...(updates.length ? graph.updates : [])].map(([name, n]) =>
    emitCopy(env, env.names.fresh(`${fn}_commit_${name}`), layout.region(n)!, leaves.params.get(name)!, `${name}: the new running statistics (step only)`),
  );
  return { fn, kind, mode, graph, plan: p, layout, kernels, commit, inputs: inputsRead(model.inputs, p) };
}

/** A kernel that copies one region to another (possibly within one buffer, which copyBufferToBuffer cannot). */
export function emitCopy(env: ModuleEnv, entry: string, from: Region, to: Region, comment: string): Kernel {
  const text = [
    `// ${wgslComment(comment)}`,
    `@compute @workgroup_size(${WG})`,
    `fn ${entry}(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {`,
    `  let n = ${env.size(to.size)};`,
    `  for (var k = gid.x; k < n; k += groups.x * ${WG}u) {`,
    `    ${to.buffer}[${env.size(to.at)} + k] = ${from.buffer}[${env.size(from.at)} + k];`,
    '  }',
    '}',
  ].join('\n');
  return { entry, text, dispatch: [{ count: to.size, per: WG, cap: true }] };
}
