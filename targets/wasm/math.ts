// The elementary functions inside the wasm module (it imports nothing, so no
// Math): the scalar forms evaluated in float64 from range reduction and a
// polynomial, then rounded once to float32 (within an ulp of the exact value);
// exp, σ and tanh also as f32x4 float32 polynomials (a few ulps), the others
// lane by lane. All stable at the edges the language requires (exp overflows
// to ∞ and underflows to 0, σ and tanh saturate, softplus never overflows).

const LN2 = '0.6931471805599453';
const INV_LN2 = '1.4426950408889634';
/** π/2 split in two parts, so that x − k·π/2 stays exact for moderate k. */
const PIO2_HI = '1.5707963267341256';
const PIO2_LO = '6.077100506506192e-11';

/** Horner's rule over f64 coefficients (highest power last) in the local `$v`. */
function horner(coeffs: number[], v: string): string {
  let e = `(f64.const ${coeffs[coeffs.length - 1]})`;
  for (let k = coeffs.length - 2; k >= 0; k--) e = `(f64.add (f64.const ${coeffs[k]}) (f64.mul (local.get ${v}) ${e}))`;
  return e;
}

const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
/** eʳ for |r| ≤ ln2/2: Taylor to degree 12 (truncation error < 1e-16). */
const EXP_POLY = Array.from({ length: 13 }, (_, k) => 1 / fact(k));
/** 2·atanh(s) / s in s² for |s| ≤ 0.172: 2(1 + s²/3 + s⁴/5 + …). */
const LOG_POLY = Array.from({ length: 9 }, (_, k) => 2 / (2 * k + 1));
/** sin(r)/r and cos(r) in r² for |r| ≤ π/4. */
const SIN_POLY = Array.from({ length: 9 }, (_, k) => (k % 2 ? -1 : 1) / fact(2 * k + 1));
const COS_POLY = Array.from({ length: 9 }, (_, k) => (k % 2 ? -1 : 1) / fact(2 * k));

const f32fn = (name: string, body: string, locals = '') =>
  `(func $${name} (param $x f32) (result f32)${locals}\n  ${body})`;

const splat = (v: number | string) => `(v128.const f32x4 ${v} ${v} ${v} ${v})`;
/** Horner's rule in f32x4 over coefficients (highest power last), in the local `v`. */
function horner4(coeffs: number[], v: string): string {
  let e = splat(coeffs[coeffs.length - 1]!);
  for (let k = coeffs.length - 2; k >= 0; k--) e = `(f32x4.add ${splat(coeffs[k]!)} (f32x4.mul (local.get ${v}) ${e}))`;
  return e;
}

/**
 * eˣ, σ and tanh four lanes at a time in float32 (Cephes' expf and tanhf
 * polynomials): x = k·ln2 + r with ln2 in two parts, eʳ ≈ 1 + r + r²·p(r),
 * 2ᵏ applied in two halves so that results down to the subnormals stay exact.
 */
const VECTOR_MATH = `
(func $exp4 (param $x v128) (result v128) (local $k v128) (local $r v128) (local $ki v128) (local $k1 v128)
  ;; clamp (NaN passes through f32x4.max/min): above 89 overflows to ∞, below −104 underflows to 0
  (local.set $x (f32x4.min (f32x4.max (local.get $x) ${splat(-104)}) ${splat(89)}))
  (local.set $k (f32x4.nearest (f32x4.mul (local.get $x) ${splat(1.4426950408889634)})))
  (local.set $r (f32x4.sub (f32x4.sub (local.get $x) (f32x4.mul (local.get $k) ${splat(0.693359375)})) (f32x4.mul (local.get $k) ${splat(-2.12194440e-4)})))
  (local.set $ki (i32x4.trunc_sat_f32x4_s (local.get $k)))
  (local.set $k1 (i32x4.shr_s (local.get $ki) (i32.const 1)))
  (f32x4.mul (f32x4.mul
    (f32x4.add (f32x4.add ${splat(1)} (local.get $r)) (f32x4.mul (f32x4.mul (local.get $r) (local.get $r)) ${horner4([5.0000001201e-1, 1.6666665459e-1, 4.1665795894e-2, 8.3334519073e-3, 1.3981999507e-3, 1.9875691500e-4], '$r')}))
    (i32x4.shl (i32x4.add (local.get $k1) (v128.const i32x4 127 127 127 127)) (i32.const 23)))
    (i32x4.shl (i32x4.add (i32x4.sub (local.get $ki) (local.get $k1)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))
;; σ(x): e = e^(−|x|), then 1/(1 + e) for x ≥ 0 and e/(1 + e) below (never overflows)
(func $sigmoid4 (param $x v128) (result v128) (local $e v128) (local $s v128)
  (local.set $e (call $exp4 (f32x4.neg (f32x4.abs (local.get $x)))))
  (local.set $s (f32x4.div ${splat(1)} (f32x4.add ${splat(1)} (local.get $e))))
  (v128.bitselect (local.get $s) (f32x4.mul (local.get $e) (local.get $s)) (f32x4.ge (local.get $x) ${splat(0)})))
;; tanh: an odd polynomial below |x| = 0.625, else sign(x)·(1 − e)/(1 + e) with e = e^(−2|x|)
(func $tanh4 (param $x v128) (result v128) (local $a v128) (local $e v128) (local $z v128)
  (local.set $a (f32x4.abs (local.get $x)))
  (local.set $z (f32x4.mul (local.get $x) (local.get $x)))
  (local.set $e (call $exp4 (f32x4.mul (local.get $a) ${splat(-2)})))
  (v128.bitselect
    (f32x4.add (local.get $x) (f32x4.mul (f32x4.mul (local.get $z) (local.get $x)) ${horner4([-3.33332819422e-1, 1.33314422036e-1, -5.37397155531e-2, 2.06390887954e-2, -5.70498872745e-3], '$z')}))
    ;; copysign: the magnitude's bits with x's sign bit
    (v128.or (v128.and (f32x4.div (f32x4.sub ${splat(1)} (local.get $e)) (f32x4.add ${splat(1)} (local.get $e))) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))
      (v128.and (local.get $x) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000)))
    (f32x4.lt (local.get $a) ${splat(0.625)})))
`;

export const WASM_MATH = `
;; eˣ in float64: x = k·ln2 + r, eʳ by its Taylor series, 2ᵏ built from the exponent bits.
(func $exp64 (param $x f64) (result f64) (local $k f64) (local $r f64)
  (if (f64.gt (local.get $x) (f64.const 709.7)) (then (return (f64.const inf))))
  (if (f64.lt (local.get $x) (f64.const -745.2)) (then (return (f64.const 0))))
  (local.set $k (f64.nearest (f64.mul (local.get $x) (f64.const ${INV_LN2}))))
  (local.set $r (f64.sub (local.get $x) (f64.mul (local.get $k) (f64.const ${LN2}))))
  (local.set $r ${horner(EXP_POLY, '$r')})
  ;; 2ᵏ in two halves, so that k down to −1074 stays representable
  (f64.mul (f64.mul (local.get $r)
    (f64.reinterpret_i64 (i64.shl (i64.add (i64.trunc_sat_f64_s (f64.trunc (f64.div (local.get $k) (f64.const 2)))) (i64.const 1023)) (i64.const 52))))
    (f64.reinterpret_i64 (i64.shl (i64.add (i64.trunc_sat_f64_s (f64.sub (local.get $k) (f64.trunc (f64.div (local.get $k) (f64.const 2))))) (i64.const 1023)) (i64.const 52)))))
;; log x in float64: x = 2ᵉ·m with m in [√½, √2), log m = 2·atanh((m − 1)/(m + 1)).
(func $log64 (param $x f64) (result f64) (local $b i64) (local $e f64) (local $m f64) (local $s f64) (local $s2 f64)
  (if (f64.ne (local.get $x) (local.get $x)) (then (return (local.get $x))))
  (if (f64.lt (local.get $x) (f64.const 0)) (then (return (f64.const nan))))
  (if (f64.eq (local.get $x) (f64.const 0)) (then (return (f64.const -inf))))
  (if (f64.eq (local.get $x) (f64.const inf)) (then (return (local.get $x))))
  (local.set $e (f64.const 0))
  ;; subnormals: scale up by 2⁶⁴ first
  (if (f64.lt (local.get $x) (f64.const 2.2250738585072014e-308)) (then
    (local.set $x (f64.mul (local.get $x) (f64.const 18446744073709551616)))
    (local.set $e (f64.const -64))))
  (local.set $b (i64.reinterpret_f64 (local.get $x)))
  (local.set $e (f64.add (local.get $e) (f64.convert_i64_s (i64.sub (i64.and (i64.shr_u (local.get $b) (i64.const 52)) (i64.const 2047)) (i64.const 1023)))))
  (local.set $m (f64.reinterpret_i64 (i64.or (i64.and (local.get $b) (i64.const 4503599627370495)) (i64.const 4607182418800017408))))
  (if (f64.gt (local.get $m) (f64.const 1.4142135623730951)) (then
    (local.set $m (f64.mul (local.get $m) (f64.const 0.5)))
    (local.set $e (f64.add (local.get $e) (f64.const 1)))))
  (local.set $s (f64.div (f64.sub (local.get $m) (f64.const 1)) (f64.add (local.get $m) (f64.const 1))))
  (local.set $s2 (f64.mul (local.get $s) (local.get $s)))
  (f64.add (f64.mul (local.get $e) (f64.const ${LN2})) (f64.mul (local.get $s) ${horner(LOG_POLY, '$s2')})))
;; sin and cos in float64: x = k·π/2 + r, the quadrant k mod 4 picks ±sin r or ±cos r.
(func $sincos64 (param $x f64) (param $cos i32) (result f64) (local $k f64) (local $r f64) (local $r2 f64) (local $q i32) (local $v f64)
  (local.set $k (f64.nearest (f64.mul (local.get $x) (f64.const 0.6366197723675814))))
  (local.set $r (f64.sub (f64.sub (local.get $x) (f64.mul (local.get $k) (f64.const ${PIO2_HI}))) (f64.mul (local.get $k) (f64.const ${PIO2_LO}))))
  (local.set $r2 (f64.mul (local.get $r) (local.get $r)))
  (local.set $q (i32.and (i32.add (i32.wrap_i64 (i64.trunc_sat_f64_s (local.get $k))) (local.get $cos)) (i32.const 3)))
  (local.set $v (select ${horner(COS_POLY, '$r2')} (f64.mul (local.get $r) ${horner(SIN_POLY, '$r2')}) (i32.and (local.get $q) (i32.const 1))))
  (select (f64.neg (local.get $v)) (local.get $v) (i32.ge_u (local.get $q) (i32.const 2))))
;; xʸ as Math.pow: a negative base needs an integer exponent (its parity gives the sign).
(func $pow64 (param $a f64) (param $b f64) (result f64) (local $r f64)
  (if (f64.eq (local.get $b) (f64.const 0)) (then (return (f64.const 1))))
  (if (f64.ne (local.get $a) (local.get $a)) (then (return (local.get $a))))
  (if (f64.ne (local.get $b) (local.get $b)) (then (return (local.get $b))))
  (if (f64.eq (local.get $a) (f64.const 0)) (then (return (select (f64.const 0) (f64.const inf) (f64.gt (local.get $b) (f64.const 0))))))
  (if (f64.ge (local.get $a) (f64.const 0)) (then (return (call $exp64 (f64.mul (local.get $b) (call $log64 (local.get $a)))))))
  (if (f64.ne (f64.floor (local.get $b)) (local.get $b)) (then (return (f64.const nan))))
  (local.set $r (call $exp64 (f64.mul (local.get $b) (call $log64 (f64.neg (local.get $a))))))
  (select (f64.neg (local.get $r)) (local.get $r) (f64.ne (f64.floor (f64.mul (local.get $b) (f64.const 0.5))) (f64.mul (local.get $b) (f64.const 0.5)))))
${f32fn('exp', '(f32.demote_f64 (call $exp64 (f64.promote_f32 (local.get $x))))')}
${f32fn('log', '(f32.demote_f64 (call $log64 (f64.promote_f32 (local.get $x))))')}
${f32fn('sin', '(f32.demote_f64 (call $sincos64 (f64.promote_f32 (local.get $x)) (i32.const 0)))')}
${f32fn('cos', '(f32.demote_f64 (call $sincos64 (f64.promote_f32 (local.get $x)) (i32.const 1)))')}
;; tanh = sign(x)·(1 − e^(−2|x|)) / (1 + e^(−2|x|)); x itself where x³/3 is below rounding.
${f32fn('tanh', `(local.set $a (f64.abs (f64.promote_f32 (local.get $x))))
  (if (f64.lt (local.get $a) (f64.const 1e-5)) (then (return (local.get $x))))
  (local.set $e (call $exp64 (f64.mul (local.get $a) (f64.const -2))))
  (f32.copysign (f32.demote_f64 (f64.div (f64.sub (f64.const 1) (local.get $e)) (f64.add (f64.const 1) (local.get $e)))) (local.get $x))`, ' (local $a f64) (local $e f64)')}
;; σ(x) without overflow: 1/(1 + e⁻ˣ) for x ≥ 0, eˣ/(1 + eˣ) below.
${f32fn('sigmoid', `(local.set $a (f64.promote_f32 (local.get $x)))
  (if (f64.ge (local.get $a) (f64.const 0)) (then (return (f32.demote_f64 (f64.div (f64.const 1) (f64.add (f64.const 1) (call $exp64 (f64.neg (local.get $a)))))))))
  (local.set $e (call $exp64 (local.get $a)))
  (f32.demote_f64 (f64.div (local.get $e) (f64.add (f64.const 1) (local.get $e))))`, ' (local $a f64) (local $e f64)')}
;; softplus(x) = max(x, 0) + log1p(e^(−|x|)), with log1p(u) = log(1 + u)·u/((1 + u) − 1).
${f32fn('softplus', `(local.set $a (f64.promote_f32 (local.get $x)))
  (local.set $e (call $exp64 (f64.neg (f64.abs (local.get $a)))))
  (local.set $u (f64.add (f64.const 1) (local.get $e)))
  (f32.demote_f64 (f64.add (f64.max (local.get $a) (f64.const 0))
    (select (local.get $e) (f64.div (f64.mul (call $log64 (local.get $u)) (local.get $e)) (f64.sub (local.get $u) (f64.const 1))) (f64.eq (local.get $u) (f64.const 1)))))`, ' (local $a f64) (local $e f64) (local $u f64)')}
${f32fn('sign', `(select (f32.const 1) (select (f32.const -1) (select (f32.const 0) (local.get $x) (f32.eq (local.get $x) (f32.const 0))) (f32.lt (local.get $x) (f32.const 0))) (f32.gt (local.get $x) (f32.const 0)))`)}
;; erf in float64: its Taylor series below |x| = 0.5, Abramowitz–Stegun 7.1.26 above (absolute error < 1.5e-7).
(func $erf64 (param $x f64) (result f64) (local $a f64) (local $t f64) (local $z f64)
  (local.set $a (f64.abs (local.get $x)))
  (if (f64.lt (local.get $a) (f64.const 0.5)) (then
    (local.set $z (f64.mul (local.get $x) (local.get $x)))
    (return (f64.mul (local.get $x) ${horner(Array.from({ length: 12 }, (_, n) => ((n % 2 ? -1 : 1) * 2) / Math.sqrt(Math.PI) / fact(n) / (2 * n + 1)), '$z')}))))
  (local.set $t (f64.div (f64.const 1) (f64.add (f64.const 1) (f64.mul (f64.const 0.3275911) (local.get $a)))))
  (f64.copysign (f64.sub (f64.const 1) (f64.mul (f64.mul (local.get $t) ${horner([0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429], '$t')})
    (call $exp64 (f64.neg (f64.mul (local.get $a) (local.get $a)))))) (local.get $x)))
${f32fn('erf', '(f32.demote_f64 (call $erf64 (f64.promote_f32 (local.get $x))))')}
;; gelu(x) = x·Φ(x) = x·(1 + erf(x/√2))/2
${f32fn('gelu', '(local.set $a (f64.promote_f32 (local.get $x)))\n  (f32.demote_f64 (f64.mul (f64.mul (f64.const 0.5) (local.get $a)) (f64.add (f64.const 1) (call $erf64 (f64.mul (local.get $a) (f64.const 0.7071067811865476))))))', ' (local $a f64)')}
(func $pow (param $a f32) (param $b f32) (result f32)
  (f32.demote_f64 (call $pow64 (f64.promote_f32 (local.get $a)) (f64.promote_f32 (local.get $b)))))
${VECTOR_MATH}
${['log', 'sin', 'cos', 'softplus', 'sign', 'erf', 'gelu'].map((f) => `(func $${f}4 (param $v v128) (result v128)
  (f32x4.replace_lane 3 (f32x4.replace_lane 2 (f32x4.replace_lane 1 (f32x4.splat (call $${f} (f32x4.extract_lane 0 (local.get $v))))
    (call $${f} (f32x4.extract_lane 1 (local.get $v)))) (call $${f} (f32x4.extract_lane 2 (local.get $v)))) (call $${f} (f32x4.extract_lane 3 (local.get $v)))))`).join('\n')}
(func $pow4 (param $a v128) (param $b v128) (result v128)
  (f32x4.replace_lane 3 (f32x4.replace_lane 2 (f32x4.replace_lane 1
    (f32x4.splat (call $pow (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 0 (local.get $b))))
    (call $pow (f32x4.extract_lane 1 (local.get $a)) (f32x4.extract_lane 1 (local.get $b))))
    (call $pow (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 2 (local.get $b))))
    (call $pow (f32x4.extract_lane 3 (local.get $a)) (f32x4.extract_lane 3 (local.get $b)))))
`;

/** The math functions exported for the accuracy tests (`math_exp` …; `math_exp4` … lane 0 of the f32x4 forms). */
export const MATH_EXPORTS = ['exp', 'log', 'sin', 'cos', 'tanh', 'sigmoid', 'softplus', 'sign', 'pow'];
export const VECTOR_EXPORTS = ['exp', 'tanh', 'sigmoid'];
