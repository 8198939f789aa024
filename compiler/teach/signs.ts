// Which signs a value can take: a set of {negative, zero, positive} per node,
// computed forward over the IR. It is what the stability lint asks: can the
// argument of a log, a square root or a denominator reach zero or below?
// Params and inputs can be anything; exp, σ and sizes are positive; squares,
// abs and relu are never negative; sums and products follow the sign rules.
import { topoSort, type Node, type OpAttrs } from '../ir/node.js';

export const NEG = 1;
export const ZERO = 2;
export const POS = 4;
export const ANY = NEG | ZERO | POS;
export type Signs = number;

const signOf = (v: number): Signs => (Number.isNaN(v) ? ANY : v > 0 ? POS : v < 0 ? NEG : ZERO);
const each = (s: Signs) => [NEG, ZERO, POS].filter((x) => s & x);
const flip = (s: Signs): Signs => (s & ZERO) | (s & NEG ? POS : 0) | (s & POS ? NEG : 0);

/** Sign of a + b over every pair of signs. */
function addSigns(a: Signs, b: Signs): Signs {
  let out = 0;
  for (const x of each(a)) {
    for (const y of each(b)) {
      if (x === ZERO) out |= y;
      else if (y === ZERO || x === y) out |= x;
      else out |= ANY;
    }
  }
  return out;
}

function mulSigns(a: Signs, b: Signs): Signs {
  let out = 0;
  for (const x of each(a)) for (const y of each(b)) out |= x === ZERO || y === ZERO ? ZERO : x === y ? POS : NEG;
  return out;
}

/** A sum of many terms of these signs (at least one term). */
const sumOf = (s: Signs): Signs => addSigns(s, s);

function maxSigns(a: Signs, b: Signs): Signs {
  let out = 0;
  for (const x of each(a)) for (const y of each(b)) out |= Math.max(x, y); // NEG < ZERO < POS as bits
  return out;
}

function minSigns(a: Signs, b: Signs): Signs {
  let out = 0;
  for (const x of each(a)) for (const y of each(b)) out |= Math.min(x, y);
  return out;
}

const constValue = (n: Node) => (n.op === 'const' ? (n.attrs as OpAttrs['const']).value : undefined);

export function signs(roots: readonly Node[]): Map<number, Signs> {
  const s = new Map<number, Signs>();
  const of = (n: Node) => s.get(n.id) ?? ANY;
  for (const n of topoSort(roots)) {
    const [a, b, c] = n.inputs.map(of);
    let r: Signs = ANY;
    switch (n.op) {
      case 'const': r = signOf(constValue(n)!); break;
      case 'size': r = POS; break;
      case 'mask': r = ZERO | POS; break;
      case 'exp': case 'sigmoid': case 'softplus': r = POS; break;
      case 'relu': r = a! & POS ? (a! & ~POS ? ZERO | POS : POS) : ZERO; break;
      case 'abs': r = (a! & ZERO) | (a! & (NEG | POS) ? POS : 0); break;
      case 'sqrt': r = a! & (ZERO | POS); break;
      case 'neg': r = flip(a!); break;
      case 'sign': case 'tanh': r = a!; break;
      case 'add': r = addSigns(a!, b!); break;
      case 'sub': r = addSigns(a!, flip(b!)); break;
      case 'mul': r = mulSigns(a!, b!); break;
      case 'div': r = mulSigns(a!, b! & ~ZERO || b!); break;
      case 'pow': {
        const p = constValue(n.inputs[1]!);
        if (a === POS) r = POS;
        else if (p !== undefined && Number.isInteger(p) && p % 2 === 0) r = p === 0 ? POS : a! & ZERO ? ZERO | POS : POS;
        else if (p !== undefined && Number.isInteger(p) && p > 0) r = a!;
        break;
      }
      case 'max': r = maxSigns(a!, b!); break;
      case 'min': r = minSigns(a!, b!); break;
      case 'lt': case 'le': case 'gt': case 'ge': case 'eq': case 'ne': case 'onehot': r = ZERO | POS; break;
      case 'where': r = b! | c!; break;
      case 'matmul': r = sumOf(mulSigns(a!, b!)); break;
      case 'sum': case 'scattercols': r = sumOf(a!); break;
      case 'rmax': case 'transpose': case 'reshape': case 'broadcast': case 'pick': case 'gathercols': case 'slice': r = a!; break;
      case 'concat': r = n.inputs.reduce((acc, x) => acc | of(x), 0); break;
      default: r = ANY; // params, inputs, state, log, sin, cos, logsumexp
    }
    s.set(n.id, r || ANY);
  }
  return s;
}

export const canBeZeroOrLess = (s: Signs) => (s & (NEG | ZERO)) !== 0;
