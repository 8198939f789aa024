// WGSL identifiers for the user's names: ASCII (Greek letters spelled out),
// never a WGSL keyword or reserved word, never a built-in function or type the
// kernels call (a local named `exp` would hide exp()), and never a name the
// shader module declares itself.
import { Names } from '../names.js';

const KEYWORDS =
  'alias break case const const_assert continue continuing default diagnostic discard else enable false fn for if let ' +
  'loop override requires return struct switch true var while';

// WGSL's reserved words (spec §15.3): not usable as identifiers.
const RESERVED =
  'NULL Self abstract active alignas alignof as asm asm_fragment async attribute auto await become binding_array cast ' +
  'catch class co_await co_return co_yield coherent column_major common compile compile_fragment concept const_cast ' +
  'consteval constexpr constinit crate debugger decltype delete demote demote_to_helper do dynamic_cast enum explicit ' +
  'export extends extern external fallthrough filter final finally friend from fxgroup get goto groupshared highp impl ' +
  'implements import inline instanceof interface layout lowp macro macro_rules match mediump meta mod module move mut ' +
  'mutable namespace new nil noexcept noinline nointerpolation noperspective null nullptr of operator package ' +
  'packoffset partition pass patch pixelfragment precise precision premerge priv protected pub public readonly ref ' +
  'regardless register reinterpret_cast require resource restrict self set shared sizeof smooth snorm static ' +
  'static_assert static_cast std subroutine super target template this thread_local throw trait try type typedef ' +
  'typeid typename typeof union unless unorm unsafe unsized use using varying virtual volatile wgsl where with ' +
  'writeonly yield';

// Predeclared types, enumerants and the built-in functions a kernel may call.
const PREDECLARED =
  'bool f16 f32 i32 u32 vec2 vec3 vec4 vec2f vec3f vec4f vec2u vec3u vec4u vec2i vec3i vec4i array atomic ptr ' +
  'mat2x2 mat3x3 mat4x4 sampler texture_2d function private workgroup uniform storage read write read_write ' +
  'abs acos all any asin atan atan2 bitcast ceil clamp cos cosh countOneBits cross degrees determinant distance dot ' +
  'exp exp2 floor fma fract frexp inverseSqrt ldexp length log log2 max min mix modf normalize pow radians reflect ' +
  'round saturate select sign sin sinh smoothstep sqrt step tan tanh transpose trunc arrayLength workgroupBarrier ' +
  'storageBarrier workgroupUniformLoad';

export const WGSL_RESERVED: ReadonlySet<string> = new Set(`${KEYWORDS} ${RESERVED} ${PREDECLARED}`.split(' '));

const GREEK: Record<string, string> = {
  α: 'alpha', β: 'beta', γ: 'gamma', δ: 'delta', ε: 'epsilon', ζ: 'zeta', η: 'eta', θ: 'theta', ι: 'iota',
  κ: 'kappa', λ: 'lambda', μ: 'mu', ν: 'nu', ξ: 'xi', ο: 'omicron', π: 'pi', ρ: 'rho', σ: 'sigma', ς: 'sigma',
  τ: 'tau', υ: 'upsilon', φ: 'phi', χ: 'chi', ψ: 'psi', ω: 'omega', Δ: 'Delta', Σ: 'Sigma', Ω: 'Omega', Θ: 'Theta',
  Λ: 'Lambda', Φ: 'Phi', Ψ: 'Psi', Γ: 'Gamma', Π: 'Pi', '∂': 'd',
};

/** An ASCII identifier close to `name`: `λ` → `lambda`, `x'` → `x_`; WGSL forbids a leading `__`. */
export function asciiIdent(name: string): string {
  let s = '';
  for (const ch of name.normalize('NFC')) {
    if (/[A-Za-z0-9_]/.test(ch)) s += ch;
    else if (GREEK[ch]) s += (s && !s.endsWith('_') ? '_' : '') + GREEK[ch];
    else s += '_';
  }
  s = s.replace(/_+/g, '_');
  if (s === '' || s === '_') s = 'v';
  if (s.startsWith('_')) s = `v${s}`;
  return s;
}

/** A name allocator for WGSL: `fresh()` takes the user's spelling and returns a safe identifier. */
export class WgslNames {
  private readonly names: Names;

  constructor(parent?: WgslNames) {
    this.names = parent ? parent.names.child() : new Names(WGSL_RESERVED);
  }

  claim(...names: string[]): void {
    this.names.claim(...names);
  }

  child(): WgslNames {
    return new WgslNames(this);
  }

  fresh(wanted: string): string {
    return this.names.fresh(asciiIdent(wanted));
  }
}
