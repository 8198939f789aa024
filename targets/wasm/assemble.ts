// A small assembler for the WebAssembly text the wasm target writes: folded
// S-expressions (`(f32.add (local.get $a) (f32.const 1))`), block/loop/if,
// scalar, SIMD and bulk-memory instructions, one memory, exported functions.
// Own code rather than wabt (5 MB): the subset is small, and assembling every
// example takes a few milliseconds (compile time must stay < 100 ms).

type Sx = string | Sx[];

/** Parses WAT text into S-expressions; `;;` line comments and `(; … ;)` block comments are skipped. */
export function parseSx(text: string): Sx[] {
  const out: Sx[][] = [[]];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 40 /* ( */) {
      if (text.charCodeAt(i + 1) === 59 /* ; */) {
        const end = text.indexOf(';)', i + 2);
        i = end < 0 ? n : end + 2;
        continue;
      }
      out.push([]);
      i++;
    } else if (c === 41 /* ) */) {
      const top = out.pop()!;
      if (!out.length) throw new Error('wat: unbalanced )');
      out[out.length - 1]!.push(top);
      i++;
    } else if (c === 59 && text.charCodeAt(i + 1) === 59) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c <= 32) i++;
    else if (c === 34 /* " */) {
      const end = text.indexOf('"', i + 1);
      out[out.length - 1]!.push(text.slice(i, end + 1));
      i = end + 1;
    } else {
      let j = i;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d <= 32 || d === 40 || d === 41) break;
        j++;
      }
      out[out.length - 1]!.push(text.slice(i, j));
      i = j;
    }
  }
  if (out.length !== 1) throw new Error('wat: unbalanced (');
  return out[0]!;
}

const VALTYPE: Record<string, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Plain opcodes (no immediates). */
const PLAIN: Record<string, number> = {
  unreachable: 0x00, nop: 0x01, return: 0x0f, drop: 0x1a, select: 0x1b,
  'i32.eqz': 0x45, 'i32.eq': 0x46, 'i32.ne': 0x47, 'i32.lt_s': 0x48, 'i32.lt_u': 0x49, 'i32.gt_s': 0x4a, 'i32.gt_u': 0x4b,
  'i32.le_s': 0x4c, 'i32.le_u': 0x4d, 'i32.ge_s': 0x4e, 'i32.ge_u': 0x4f,
  'i64.eqz': 0x50, 'i64.eq': 0x51, 'i64.ne': 0x52,
  'f32.eq': 0x5b, 'f32.ne': 0x5c, 'f32.lt': 0x5d, 'f32.gt': 0x5e, 'f32.le': 0x5f, 'f32.ge': 0x60,
  'f64.eq': 0x61, 'f64.ne': 0x62, 'f64.lt': 0x63, 'f64.gt': 0x64, 'f64.le': 0x65, 'f64.ge': 0x66,
  'i32.clz': 0x67, 'i32.ctz': 0x68, 'i32.popcnt': 0x69, 'i32.add': 0x6a, 'i32.sub': 0x6b, 'i32.mul': 0x6c,
  'i32.div_s': 0x6d, 'i32.div_u': 0x6e, 'i32.rem_s': 0x6f, 'i32.rem_u': 0x70, 'i32.and': 0x71, 'i32.or': 0x72,
  'i32.xor': 0x73, 'i32.shl': 0x74, 'i32.shr_s': 0x75, 'i32.shr_u': 0x76,
  'i64.add': 0x7c, 'i64.sub': 0x7d, 'i64.mul': 0x7e, 'i64.and': 0x83, 'i64.or': 0x84, 'i64.xor': 0x85,
  'i64.shl': 0x86, 'i64.shr_s': 0x87, 'i64.shr_u': 0x88,
  'f32.abs': 0x8b, 'f32.neg': 0x8c, 'f32.ceil': 0x8d, 'f32.floor': 0x8e, 'f32.trunc': 0x8f, 'f32.nearest': 0x90,
  'f32.sqrt': 0x91, 'f32.add': 0x92, 'f32.sub': 0x93, 'f32.mul': 0x94, 'f32.div': 0x95, 'f32.min': 0x96,
  'f32.max': 0x97, 'f32.copysign': 0x98,
  'f64.abs': 0x99, 'f64.neg': 0x9a, 'f64.ceil': 0x9b, 'f64.floor': 0x9c, 'f64.trunc': 0x9d, 'f64.nearest': 0x9e,
  'f64.sqrt': 0x9f, 'f64.add': 0xa0, 'f64.sub': 0xa1, 'f64.mul': 0xa2, 'f64.div': 0xa3, 'f64.min': 0xa4,
  'f64.max': 0xa5, 'f64.copysign': 0xa6,
  'i32.wrap_i64': 0xa7, 'i32.trunc_f32_s': 0xa8, 'i32.trunc_f64_s': 0xaa, 'i64.extend_i32_s': 0xac,
  'i64.extend_i32_u': 0xad, 'i64.trunc_f64_s': 0xb0,
  'f32.convert_i32_s': 0xb2, 'f32.convert_i32_u': 0xb3, 'f32.demote_f64': 0xb6, 'f64.convert_i32_s': 0xb7,
  'f64.convert_i32_u': 0xb8, 'f64.convert_i64_s': 0xb9, 'f64.promote_f32': 0xbb,
  'i32.reinterpret_f32': 0xbc, 'i64.reinterpret_f64': 0xbd, 'f32.reinterpret_i32': 0xbe, 'f64.reinterpret_i64': 0xbf,
};

/** 0xFC-prefixed opcodes without immediates. */
const FC: Record<string, number> = {
  'i32.trunc_sat_f32_s': 0, 'i32.trunc_sat_f32_u': 1, 'i32.trunc_sat_f64_s': 2, 'i64.trunc_sat_f64_s': 6,
};

/** SIMD (0xFD-prefixed) opcodes without immediates. */
const SIMD: Record<string, number> = {
  'i8x16.swizzle': 0x0e, 'i32x4.splat': 0x11, 'f32x4.splat': 0x13,
  'i32x4.eq': 0x37, 'i32x4.ne': 0x38, 'i32x4.lt_s': 0x39, 'i32x4.gt_s': 0x3b,
  'f32x4.eq': 0x41, 'f32x4.ne': 0x42, 'f32x4.lt': 0x43, 'f32x4.gt': 0x44, 'f32x4.le': 0x45, 'f32x4.ge': 0x46,
  'v128.not': 0x4d, 'v128.and': 0x4e, 'v128.andnot': 0x4f, 'v128.or': 0x50, 'v128.xor': 0x51, 'v128.bitselect': 0x52,
  'v128.any_true': 0x53,
  'f32x4.ceil': 0x67, 'f32x4.floor': 0x68, 'f32x4.trunc': 0x69, 'f32x4.nearest': 0x6a,
  'i32x4.abs': 0xa0, 'i32x4.neg': 0xa1, 'i32x4.all_true': 0xa3,
  'i32x4.shl': 0xab, 'i32x4.shr_s': 0xac, 'i32x4.shr_u': 0xad, 'i32x4.add': 0xae, 'i32x4.sub': 0xb1, 'i32x4.mul': 0xb5,
  'i32x4.min_s': 0xb6, 'i32x4.max_s': 0xb8,
  'f32x4.abs': 0xe0, 'f32x4.neg': 0xe1, 'f32x4.sqrt': 0xe3, 'f32x4.add': 0xe4, 'f32x4.sub': 0xe5, 'f32x4.mul': 0xe6,
  'f32x4.div': 0xe7, 'f32x4.min': 0xe8, 'f32x4.max': 0xe9, 'f32x4.pmin': 0xea, 'f32x4.pmax': 0xeb,
  'i32x4.trunc_sat_f32x4_s': 0xf8, 'f32x4.convert_i32x4_s': 0xfa,
  'f32x4.relaxed_madd': 0x105, 'f32x4.relaxed_nmadd': 0x106,
};
const SIMD_LANE: Record<string, number> = {
  'i32x4.extract_lane': 0x1b, 'i32x4.replace_lane': 0x1c, 'f32x4.extract_lane': 0x1f, 'f32x4.replace_lane': 0x20,
};
const MEM: Record<string, [number, number]> = {
  'i32.load': [0x28, 2], 'f32.load': [0x2a, 2], 'f64.load': [0x2b, 3], 'i32.store': [0x36, 2], 'f32.store': [0x38, 2],
  'f64.store': [0x39, 3],
};
const SIMD_MEM: Record<string, [number, number]> = { 'v128.load': [0x00, 4], 'v128.load32_splat': [0x09, 2], 'v128.store': [0x0b, 4] };

/** A growable byte buffer (typed, so that assembling makes little garbage). */
class Bytes {
  buf = new Uint8Array(256);
  length = 0;
  private room(n: number) {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  u8(b: number) {
    this.room(1);
    this.buf[this.length++] = b;
  }
  uleb(v: number) {
    do {
      let b = v & 0x7f;
      v = Math.floor(v / 128);
      if (v) b |= 0x80;
      this.u8(b);
    } while (v);
  }
  sleb(v: number) {
    // v is an i32 or a safe integer: plain arithmetic shifts suffice.
    for (;;) {
      const b = v & 0x7f;
      v = Math.floor(v / 128);
      if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) {
        this.u8(b);
        return;
      }
      this.u8(b | 0x80);
    }
  }
  sleb64(v: bigint) {
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && !(b & 0x40)) || (v === -1n && b & 0x40)) {
        this.u8(b);
        return;
      }
      this.u8(b | 0x80);
    }
  }
  private static readonly dv = new DataView(new ArrayBuffer(8));
  f32(v: number) {
    Bytes.dv.setFloat32(0, v, true);
    for (let k = 0; k < 4; k++) this.u8(Bytes.dv.getUint8(k));
  }
  f64(v: number) {
    Bytes.dv.setFloat64(0, v, true);
    for (let k = 0; k < 8; k++) this.u8(Bytes.dv.getUint8(k));
  }
  bytes(b: Uint8Array) {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  name(s: string) {
    const b = new TextEncoder().encode(s);
    this.uleb(b.length);
    this.bytes(b);
  }
  done(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
  vec(items: Bytes[]) {
    this.uleb(items.length);
    for (const x of items) this.bytes(x.done());
  }
  section(id: number, body: Bytes) {
    this.u8(id);
    this.uleb(body.length);
    this.bytes(body.done());
  }
}

function num(s: string): number {
  if (s === 'inf' || s === '+inf') return Infinity;
  if (s === '-inf') return -Infinity;
  if (s === 'nan' || s === '+nan' || s === '-nan') return NaN;
  const v = Number(s.replace(/_/g, ''));
  if (Number.isNaN(v)) throw new Error(`wat: not a number: ${s}`);
  return v;
}

interface Func {
  name: string;
  exportAs?: string;
  params: { id?: string; type: string }[];
  results: string[];
  locals: { id?: string; type: string }[];
  body: Sx[];
}

/** Assembles a `(module …)` written in the subset above into a binary module. */
export function assemble(text: string): Uint8Array {
  const top = parseSx(text);
  const mod = top.find((x) => Array.isArray(x) && x[0] === 'module') as Sx[] | undefined;
  if (!mod) throw new Error('wat: no (module …)');
  const funcs: Func[] = [];
  let memory: { min: number; exportAs?: string } | undefined;
  for (const f of mod.slice(1)) {
    if (!Array.isArray(f)) continue;
    if (f[0] === 'memory') {
      memory = { min: 1 };
      for (const x of f.slice(1)) {
        if (Array.isArray(x) && x[0] === 'export') memory.exportAs = JSON.parse(x[1] as string);
        else if (typeof x === 'string' && /^\d+$/.test(x)) memory.min = Number(x);
      }
    } else if (f[0] === 'func') {
      const fn: Func = { name: '', params: [], results: [], locals: [], body: [] };
      let k = 1;
      if (typeof f[1] === 'string' && f[1].startsWith('$')) (fn.name = f[1]), (k = 2);
      for (; k < f.length; k++) {
        const x = f[k]!;
        if (Array.isArray(x) && x[0] === 'export') fn.exportAs = JSON.parse(x[1] as string);
        else if (Array.isArray(x) && (x[0] === 'param' || x[0] === 'local')) {
          const list = x[0] === 'param' ? fn.params : fn.locals;
          if (typeof x[1] === 'string' && x[1].startsWith('$')) list.push({ id: x[1], type: x[2] as string });
          else for (const t of x.slice(1)) list.push({ type: t as string });
        } else if (Array.isArray(x) && x[0] === 'result') fn.results.push(...(x.slice(1) as string[]));
        else {
          fn.body = f.slice(k);
          break;
        }
      }
      funcs.push(fn);
    }
  }
  const funcIndex = new Map(funcs.map((f, i) => [f.name, i]));
  const types: string[] = [];
  const typeOf = funcs.map((f) => {
    const key = `${f.params.map((p) => p.type).join(',')}->${f.results.join(',')}`;
    let t = types.indexOf(key);
    if (t < 0) t = types.push(key) - 1;
    return t;
  });

  const out = new Bytes();
  out.bytes(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00));
  const typeSec = new Bytes();
  typeSec.vec(types.map((key) => {
    const [ps, rs] = key.split('->') as [string, string];
    const b = new Bytes();
    b.u8(0x60);
    const p = ps ? ps.split(',') : [];
    const r = rs ? rs.split(',') : [];
    b.uleb(p.length);
    for (const t of p) b.u8(VALTYPE[t]!);
    b.uleb(r.length);
    for (const t of r) b.u8(VALTYPE[t]!);
    return b;
  }));
  out.section(1, typeSec);
  const fsec = new Bytes();
  fsec.uleb(funcs.length);
  for (const t of typeOf) fsec.uleb(t);
  out.section(3, fsec);
  if (memory) {
    const m = new Bytes();
    m.uleb(1);
    m.u8(0x00);
    m.uleb(memory.min);
    out.section(5, m);
  }
  const exports: Bytes[] = [];
  if (memory?.exportAs) {
    const e = new Bytes();
    e.name(memory.exportAs);
    e.u8(0x02);
    e.uleb(0);
    exports.push(e);
  }
  funcs.forEach((f, i) => {
    if (!f.exportAs) return;
    const e = new Bytes();
    e.name(f.exportAs);
    e.u8(0x00);
    e.uleb(i);
    exports.push(e);
  });
  const esec = new Bytes();
  esec.vec(exports);
  out.section(7, esec);
  const code = new Bytes();
  code.vec(funcs.map((f) => encodeFunc(f, funcIndex)));
  out.section(10, code);
  return out.done().slice();
}

function encodeFunc(f: Func, funcIndex: Map<string, number>): Bytes {
  const locals = new Map<string, number>();
  [...f.params, ...f.locals].forEach((l, i) => l.id && locals.set(l.id, i));
  const b = new Bytes();
  // Locals, run-length by type.
  const runs: [number, string][] = [];
  for (const l of f.locals) {
    const last = runs[runs.length - 1];
    if (last && last[1] === l.type) last[0]++;
    else runs.push([1, l.type]);
  }
  b.uleb(runs.length);
  for (const [n, t] of runs) {
    b.uleb(n);
    b.u8(VALTYPE[t]!);
  }
  const labels: (string | undefined)[] = [];
  const local = (s: string) => {
    const i = s.startsWith('$') ? locals.get(s) : Number(s);
    if (i === undefined || Number.isNaN(i)) throw new Error(`wat: unknown local ${s} in ${f.name}`);
    return i;
  };
  const label = (s: string) => {
    if (!s.startsWith('$')) return Number(s);
    const d = labels.lastIndexOf(s);
    if (d < 0) throw new Error(`wat: unknown label ${s} in ${f.name}`);
    return labels.length - 1 - d;
  };
  const memarg = (imm: string[], align: number) => {
    let offset = 0;
    for (const x of imm) {
      if (x.startsWith('offset=')) offset = Number(x.slice(7));
      else if (x.startsWith('align=')) align = Math.log2(Number(x.slice(6)));
    }
    b.uleb(align);
    b.uleb(offset);
  };
  const blockType = (items: Sx[]): number => {
    const r = items.find((x) => Array.isArray(x) && x[0] === 'result') as string[] | undefined;
    return r ? VALTYPE[r[1]!]! : 0x40;
  };
  const instr = (x: Sx): void => {
    if (!Array.isArray(x)) throw new Error(`wat: expected a folded instruction, found '${x}' in ${f.name}`);
    const op = x[0] as string;
    if (op === 'block' || op === 'loop') {
      let k = 1;
      let id: string | undefined;
      if (typeof x[1] === 'string' && x[1].startsWith('$')) (id = x[1]), (k = 2);
      const rest = x.slice(k);
      b.u8(op === 'block' ? 0x02 : 0x03);
      b.u8(blockType(rest));
      labels.push(id);
      for (const y of rest) if (!(Array.isArray(y) && y[0] === 'result')) instr(y);
      labels.pop();
      b.u8(0x0b);
      return;
    }
    if (op === 'if') {
      let k = 1;
      let id: string | undefined;
      if (typeof x[1] === 'string' && x[1].startsWith('$')) (id = x[1]), (k = 2);
      const rest = x.slice(k);
      const then = rest.find((y) => Array.isArray(y) && y[0] === 'then') as Sx[] | undefined;
      const els = rest.find((y) => Array.isArray(y) && y[0] === 'else') as Sx[] | undefined;
      for (const y of rest) if (y !== then && y !== els && !(Array.isArray(y) && y[0] === 'result')) instr(y);
      b.u8(0x04);
      b.u8(blockType(rest));
      labels.push(id);
      for (const y of then?.slice(1) ?? []) instr(y);
      if (els) {
        b.u8(0x05);
        for (const y of els.slice(1)) instr(y);
      }
      labels.pop();
      b.u8(0x0b);
      return;
    }
    // Immediates come first, then the folded operands.
    let k = 1;
    const imm: string[] = [];
    while (k < x.length && typeof x[k] === 'string') imm.push(x[k++] as string);
    if (op === 'v128.const') {
      // `f32x4 a b c d` or `i32x4 a b c d`: the lanes are immediates, not operands.
      for (const y of x.slice(k)) instr(y);
      b.u8(0xfd);
      b.uleb(0x0c);
      for (const lane of imm.slice(1)) {
        if (imm[0] === 'f32x4') b.f32(num(lane));
        else {
          const v = Number(lane) >>> 0;
          b.u8(v & 0xff), b.u8((v >>> 8) & 0xff), b.u8((v >>> 16) & 0xff), b.u8((v >>> 24) & 0xff);
        }
      }
      return;
    }
    for (const y of x.slice(k)) instr(y);
    let code: number | undefined;
    if ((code = PLAIN[op]) !== undefined) b.u8(code);
    else if (op === 'local.get' || op === 'local.set' || op === 'local.tee') {
      b.u8(op === 'local.get' ? 0x20 : op === 'local.set' ? 0x21 : 0x22);
      b.uleb(local(imm[0]!));
    } else if (op === 'br' || op === 'br_if') {
      b.u8(op === 'br' ? 0x0c : 0x0d);
      b.uleb(label(imm[0]!));
    } else if (op === 'call') {
      const i = funcIndex.get(imm[0]!);
      if (i === undefined) throw new Error(`wat: unknown function ${imm[0]}`);
      b.u8(0x10);
      b.uleb(i);
    } else if (op === 'i32.const') {
      b.u8(0x41);
      b.sleb(Number(imm[0]!) | 0);
    } else if (op === 'i64.const') {
      b.u8(0x42);
      b.sleb64(BigInt.asIntN(64, BigInt(imm[0]!)));
    } else if (op === 'f32.const') {
      b.u8(0x43);
      b.f32(num(imm[0]!));
    } else if (op === 'f64.const') {
      b.u8(0x44);
      b.f64(num(imm[0]!));
    } else if (MEM[op]) {
      b.u8(MEM[op]![0]);
      memarg(imm, MEM[op]![1]);
    } else if (SIMD_MEM[op]) {
      b.u8(0xfd);
      b.uleb(SIMD_MEM[op]![0]);
      memarg(imm, SIMD_MEM[op]![1]);
    } else if ((code = SIMD[op]) !== undefined) {
      b.u8(0xfd);
      b.uleb(code);
    } else if ((code = SIMD_LANE[op]) !== undefined) {
      b.u8(0xfd);
      b.uleb(code);
      b.u8(Number(imm[0]));
    } else if ((code = FC[op]) !== undefined) {
      b.u8(0xfc);
      b.uleb(code);
    } else if (op === 'memory.copy') {
      b.u8(0xfc);
      b.uleb(10);
      b.u8(0);
      b.u8(0);
    } else if (op === 'memory.fill') {
      b.u8(0xfc);
      b.uleb(11);
      b.u8(0);
    } else throw new Error(`wat: unknown instruction ${op}`);
  };
  for (const x of f.body) instr(x);
  b.u8(0x0b);
  const sized = new Bytes();
  sized.uleb(b.length);
  sized.bytes(b.done());
  return sized;
}
