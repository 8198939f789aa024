// The optimizer update inside the wasm module, four elements at a time with a
// scalar tail: the JS target's per-element statements (../js/optimizer.ts,
// spelled with plain names) translated to f32x4 and f32 WebAssembly text. The
// host computes the learning rate, Adam's bias corrections and the clipping
// scale (one pass over the gradients, in float64 as the JS target does), and
// passes the pointers of the gradients of the program that ran.
import type { Model } from '../../compiler/model.js';
import { Code } from '../code.js';
import { lit, OPTIMIZER_SLOTS, updateStatements } from '../optimizer.js';
import { ascii } from './program.js';
import { f32lit } from './spelling.js';

/** The scalars the update takes, in order, after the pointers. */
export const UPDATE_SCALARS = ['lr', 'lr1', 'ic2', 'scale'];

/** An infix float expression (numbers, names, + − * /, sqrt(…), parentheses) as f32 or f32x4 text; `name` spells a variable. */
export function floatExpr(s: string, vector: boolean, name: (id: string) => string): string {
  const tokens = s.match(/\d+\.?\d*(?:e[-+]?\d+)?|\.\d+|[A-Za-z_][A-Za-z0-9_]*|[-+*/()]/g) ?? [];
  let p = 0;
  const t = vector ? 'f32x4' : 'f32';
  const num = (v: number) => (vector ? `(v128.const f32x4 ${f32lit(v)} ${f32lit(v)} ${f32lit(v)} ${f32lit(v)})` : `(f32.const ${f32lit(v)})`);
  const atom = (): string => {
    const x = tokens[p++];
    if (x === '(') {
      const e = sum();
      p++;
      return e;
    }
    if (x === '-') return `(${t}.neg ${atom()})`;
    if (x === undefined) throw new Error(`internal: bad update expression '${s}'`);
    if (/^[\d.]/.test(x)) return num(Number(x));
    if (x === 'sqrt') {
      p++; // '('
      const e = sum();
      p++;
      return `(${t}.sqrt ${e})`;
    }
    return `(local.get ${name(x)})`;
  };
  const product = (): string => {
    let e = atom();
    while (tokens[p] === '*' || tokens[p] === '/') e = `(${t}.${tokens[p++] === '*' ? 'mul' : 'div'} ${e} ${atom()})`;
    return e;
  };
  const sum = (): string => {
    let e = product();
    while (tokens[p] === '+' || tokens[p] === '-') e = `(${t}.${tokens[p++] === '+' ? 'add' : 'sub'} ${e} ${product()})`;
    return e;
  };
  return sum();
}

/** The `update` function: every param's elements, updated in place. */
export function emitUpdateFunction(model: Model): string {
  const opt = model.optimizer;
  const slots = OPTIMIZER_SLOTS[opt.name] ?? [];
  const wd = opt.args.weight_decay as number;
  const code = new Code();
  const params = model.params.map((p, i) => ({ p, id: `${i}_${ascii(p.name)}` }));
  // Per param: its pointer, its slots' pointers, its gradient's pointer and its element count.
  const ptrs = params.flatMap(({ id }) => [`p${id}`, ...slots.map((s) => `s${id}_${s}`), `g${id}`, `n${id}`]);
  // The statements with plain names: P the param, S_<slot> a slot, g the gradient.
  const stmts = updateStatements(opt, 'P', (s) => `S_${s}`, { sqrt: (x) => `sqrt(${x})`, let: (n, v) => `${n} = ${v};` });
  const vars = new Set(['P', 'g', ...slots.map((s) => `S_${s}`), ...stmts.map((x) => x.split('=')[0]!.trim())]);
  code.line(`(func $update (export "update") ${ptrs.map((x) => `(param $${x} i32)`).join(' ')} ${UPDATE_SCALARS.map((x) => `(param $${x}_s f32)`).join(' ')}`);
  code.indent(() => {
    code.line(`(local $k i32) ${[...vars].map((v) => `(local $${v} v128) (local $${v}_s f32)`).join(' ')} ${UPDATE_SCALARS.map((x) => `(local $${x} v128)`).join(' ')}`);
    code.comment(`${opt.name}${Object.entries(opt.args).map(([k, v]) => ` ${k}=${v}`).join('')}: g = ∇·scale${wd ? ` + ${lit(wd)}·θ` : ''}, then`, ';;');
    for (const s of stmts) code.comment(`  ${s}`, ';;');
    for (const x of UPDATE_SCALARS) code.line(`(local.set $${x} (f32x4.splat (local.get $${x}_s)))`);
    for (const { p, id } of params) {
      code.comment(`${p.name}`, ';;');
      const body = (vector: boolean) => {
        const sfx = vector ? '' : '_s';
        const ld = vector ? 'v128.load' : 'f32.load';
        const st = vector ? 'v128.store' : 'f32.store';
        const at = (ptr: string) => `(i32.add (local.get $${ptr}) (i32.shl (local.get $k) (i32.const 2)))`;
        const name = (x: string) => `$${x}${sfx}`;
        code.line(`(local.set $P${sfx} (${ld} ${at(`p${id}`)}))`);
        for (const s of slots) code.line(`(local.set $S_${s}${sfx} (${ld} ${at(`s${id}_${s}`)}))`);
        code.line(`(local.set $g${sfx} ${floatExpr(`G * scale${wd ? ` + ${lit(wd)} * P` : ''}`, vector, (x) => (x === 'G' ? 'GRAD' : name(x))).replace('(local.get GRAD)', `(${ld} ${at(`g${id}`)})`)})`);
        for (const s of stmts) {
          const [lhs, rhs] = s.replace(/;$/, '').split(' = ') as [string, string];
          code.line(`(local.set $${lhs}${sfx} ${floatExpr(rhs, vector, name)})`);
        }
        code.line(`(${st} ${at(`p${id}`)} (local.get $P${sfx}))`);
        for (const s of slots) code.line(`(${st} ${at(`s${id}_${s}`)} (local.get $S_${s}${sfx}))`);
      };
      for (const vector of [true, false]) {
        if (vector) code.line('(local.set $k (i32.const 0))');
        code.line(`(block $done${id}${vector ? 'v' : 's'} (loop $next${id}${vector ? 'v' : 's'}`);
        code.indent(() => {
          code.line(`(br_if $done${id}${vector ? 'v' : 's'} (i32.gt_s (i32.add (local.get $k) (i32.const ${vector ? 4 : 1})) (local.get $n${id})))`);
          body(vector);
          code.line(`(local.set $k (i32.add (local.get $k) (i32.const ${vector ? 4 : 1})))`);
          code.line(`(br $next${id}${vector ? 'v' : 's'})`);
        });
        code.line('))');
      }
    }
  });
  code.line(')');
  return code.toString();
}
