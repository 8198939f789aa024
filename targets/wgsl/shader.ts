// The shader module (MODEL.wgsl): the uniform of run-time values, the packed
// buffers, the helpers, and every kernel of every program as an entry point.
// Each entry point binds only the buffers it touches; `bindingsOf` reads them
// off its text, and the host creates exactly those bindings.
import type { Kernel } from './kernel.js';
import type { BufferName } from './layout.js';
import { wgslComment } from '../escape.js';

export type Resource = 'run' | BufferName;

/** Binding numbers in group 0, and how each buffer is declared. */
export const BINDINGS: Record<Resource, { binding: number; decl: string; type: GPUBufferBindingType; about: string }> = {
  run: { binding: 0, decl: 'var<uniform> run: Run', type: 'uniform', about: 'run-time sizes, seed, step count, learning rate' },
  params: { binding: 1, decl: 'var<storage, read_write> params: array<f32>', type: 'storage', about: 'params, then running statistics' },
  inputs: { binding: 2, decl: 'var<storage, read> inputs: array<f32>', type: 'read-only-storage', about: 'float inputs' },
  ints: { binding: 3, decl: 'var<storage, read> ints: array<i32>', type: 'read-only-storage', about: 'integer inputs (labels, indices)' },
  work: { binding: 4, decl: 'var<storage, read_write> work: array<f32>', type: 'storage', about: 'intermediate values (the plan\'s buffers)' },
  grads: { binding: 5, decl: 'var<storage, read_write> grads: array<f32>', type: 'storage', about: 'gradients: params, then wrt inputs' },
  optim: { binding: 6, decl: 'var<storage, read_write> optim: array<f32>', type: 'storage', about: 'optimizer slots, then the clipping scale' },
};

export const RESOURCES = Object.keys(BINDINGS) as Resource[];

/** The buffers a kernel's text touches. Helpers that read the uniform (dropout) count as touching it. */
export function bindingsOf(text: string): Resource[] {
  const code = text.replace(/\/\/.*$/gm, ''); // comments may name a tensor `params`
  return RESOURCES.filter((r) => (r === 'run' ? /\brun\.|\bdropout\(/.test(code) : new RegExp(`\\b${r}\\[`).test(code)));
}

export interface ShaderParts {
  header: string[];
  /** Fields of the Run uniform, in order, each with its type and a comment. */
  uniform: { field: string; type: 'u32' | 'f32'; about: string }[];
  /** Buffers the model has (others are not declared). */
  buffers: Resource[];
  helpers: string;
  workgroupVars: string[];
  sections: { title: string; kernels: Kernel[] }[];
}

export function assembleShader(s: ShaderParts): string {
  const out: string[] = [...s.header.map((l) => `// ${wgslComment(l)}`.trimEnd()), ''];
  out.push('// Values that change between calls, written by the host before each command buffer.');
  out.push('struct Run {');
  for (const f of s.uniform) out.push(`  ${f.field}: ${f.type}, // ${f.about}`);
  out.push('}', '');
  for (const r of s.buffers) out.push(`@group(0) @binding(${BINDINGS[r].binding}) ${BINDINGS[r].decl}; // ${BINDINGS[r].about}`);
  out.push('', ...s.workgroupVars, '', s.helpers);
  for (const sec of s.sections) {
    out.push('', `// ─── ${wgslComment(sec.title)} ${'─'.repeat(Math.max(3, 72 - sec.title.length))}`);
    for (const k of sec.kernels) out.push('', k.text);
  }
  return out.join('\n') + '\n';
}
