// The stability lint: warnings, at the place in the .nn file, for what turns
// into NaN or infinity at some values of the params and inputs:
//   - log, sqrt or a division of a value that can reach zero or below
//     (sqrt(0) is fine forward, but its derivative 1/(2√x) is infinite there);
//   - log(sigmoid(…)) and log of a softmax computed by hand, which the
//     rewrite rules did not turn into their stable forms;
//   - a division or log inside a `where` branch: the untaken branch's
//     gradient is still computed, and 0 · ∞ is NaN.
// It analyzes the IR (signs.ts), and points at the first expression of the
// file that produced the node (analysis records it: model.exprPlaces).
import type { Diagnostic, Loc } from '../../grammar/diagnostics.js';
import { topoSort, type Node } from '../ir/node.js';
import type { Model } from '../model.js';
import { printExpr } from '../print.js';
import { canBeZeroOrLess, signs } from './signs.js';

/** Stability warnings for a compiled model, at the places analysis recorded. */
export function lint(model: Model): Diagnostic[] {
  const g = model.train;
  const roots = [g.loss, ...g.outputs.values()];
  const order = topoSort(roots);
  const sign = signs(roots);
  const users = new Map<number, Node[]>();
  for (const n of order) for (const x of n.inputs) users.set(x.id, [...(users.get(x.id) ?? []), n]);
  // The place of a node, or of the nearest expression that uses it (a built-in's insides).
  const placeOf = (n: Node): Loc => {
    const queue = [n];
    const seen = new Set<number>();
    while (queue.length) {
      const m = queue.shift()!;
      const p = model.exprPlaces.get(m.id) ?? model.places.get(m.id);
      if (p) return p;
      for (const u of users.get(m.id) ?? []) if (!seen.has(u.id)) (seen.add(u.id), queue.push(u));
    }
    return model.loss.loc;
  };
  const namer = (n: Node) => model.names.get(n.id);
  const show = (n: Node) => {
    const s = printExpr(n, namer);
    return s.length > 40 ? `${s.slice(0, 39)}…` : s;
  };

  // Nodes whose gradient is computed: those that depend on a param or a wrt input.
  const differentiated = new Set<number>();
  for (const n of order) {
    const leaf = (n.op === 'param' || n.op === 'input') && g.grads.has((n.attrs as { name: string }).name);
    if (leaf || n.inputs.some((x) => differentiated.has(x.id))) differentiated.add(n.id);
  }
  const out: Diagnostic[] = [];
  const warn = (n: Node, message: string) => out.push({ severity: 'warning', loc: placeOf(n), message });
  for (const n of order) {
    const x = n.inputs[0];
    if (n.op === 'log') {
      // Picking or reshaping entries keeps what they are: log(pick(softmax(…), y)).
      let inner = x!;
      while (SELECT.has(inner.op)) inner = inner.inputs[0]!;
      if (inner.op === 'sigmoid') {
        warn(n, `log(sigmoid(${show(inner.inputs[0]!)})) is -∞ once σ underflows to 0 (inputs below about -88 in float32); write -softplus(-(…)) instead`);
      } else if (handSoftmax(inner)) {
        warn(n, `log of a softmax computed by hand (${show(inner)}) is -∞ where a probability underflows to 0; write log_softmax(…) instead`);
      } else if (handSigmoid(inner)) {
        warn(n, `log of a sigmoid computed by hand (${show(inner)}) is -∞ where it underflows to 0; write -softplus(-(…)) instead`);
      } else if (canBeZeroOrLess(sign.get(x!.id)!)) {
        warn(n, `log of a value that can be zero or negative: log(${show(x!)}) is -∞ or NaN there (add a positive epsilon, or keep the argument positive)`);
      }
    } else if (n.op === 'sqrt' && canBeZeroOrLess(sign.get(x!.id)!)) {
      warn(n, `square root of a value that can be zero or negative: √(${show(x!)}) has an infinite derivative at 0 and is NaN below (add a positive epsilon inside)`);
    } else if (n.op === 'div') {
      const d = n.inputs[1]!;
      const s = sign.get(d.id)!;
      // A denominator that is never zero (all negative, or all positive) is safe.
      if (s & 2 || ((s & 1) && (s & 4))) warn(n, `division by a value that can be zero: ${show(d)} (keep it away from 0, e.g. add a positive epsilon)`);
    } else if (n.op === 'where') {
      for (const branch of [n.inputs[1]!, n.inputs[2]!]) {
        const risky = topoSort([branch]).find((m) => differentiated.has(m.id) && (m.op === 'log' || (m.op === 'div' && m.inputs[1]!.op !== 'const' && m.inputs[1]!.op !== 'size')));
        if (risky) {
          warn(n, `where(…) computes the gradient of both branches: ${risky.op === 'log' ? 'the log' : 'the division'} in ${show(risky)} still runs where the branch is not taken, and 0 · ∞ there is NaN; make its argument safe on both sides`);
          break;
        }
      }
    }
  }
  // One warning per place and message, in file order.
  const seen = new Set<string>();
  return out.filter((d) => !seen.has(`${d.loc.offset}:${d.message}`) && !!seen.add(`${d.loc.offset}:${d.message}`)).sort((a, b) => a.loc.offset - b.loc.offset);
}

const SELECT = new Set<Node['op']>(['pick', 'reshape', 'broadcast', 'transpose', 'gathercols', 'slice']);

/** exp(a) / (… Σ exp …): a softmax the rewrite rules do not see. */
function handSoftmax(n: Node): boolean {
  return n.op === 'div' && n.inputs[0]!.op === 'exp' && topoSort([n.inputs[1]!]).some((m) => m.op === 'sum' && m.inputs[0]!.op === 'exp');
}

/** 1 / (1 + exp(-z)) and friends. */
function handSigmoid(n: Node): boolean {
  return n.op === 'div' && n.inputs[0]!.op === 'const' && n.inputs[1]!.op === 'add' && n.inputs[1]!.inputs.some((m) => m.op === 'exp');
}
