// The op table: every primitive's reference semantics and VJP, exhaustively
// typed over the ops of ir/node.ts (a missing entry does not compile). Shape
// rules are in shapes.ts, rewrite rules in ir/rules.ts, and each target spells
// the ops in its own table.
import type { LEAVES } from '../ir/node.js';
import { filled } from '../ir/tensor.js';
import { ELEMENTWISE_RULES } from './elementwise.js';
import type { OpRule, OpTable } from './rule.js';
import { STRUCTURAL_RULES } from './structural.js';

type LeafOp = (typeof LEAVES)[number];

const leaf: OpRule<LeafOp> = {
  note: 'a leaf: its gradient is the upstream',
  eval: (_, node, ctx) => ctx.leaf(node),
  vjp: () => [],
};

const LEAF_RULES: { [O in LeafOp]: OpRule<O> } = {
  param: leaf,
  input: leaf,
  state: leaf,
  const: {
    note: 'a constant: no gradient flows',
    eval: (_, node, ctx) => filled(node.shape[0].eval(ctx.dims), node.shape[1].eval(ctx.dims), node.attrs.value),
    vjp: () => [],
  },
  size: {
    note: 'a size: no gradient flows',
    eval: (_, node, ctx) => filled(1, 1, node.attrs.size.eval(ctx.dims)),
    vjp: () => [],
  },
  mask: {
    note: 'a dropout mask: fixed for the step, no gradient flows into it',
    eval: (_, node, ctx) =>
      ctx.mask(node.attrs.id, node.attrs.p, node.shape[0].eval(ctx.dims), node.shape[1].eval(ctx.dims)),
    vjp: () => [],
  },
};

export const OPS: OpTable = { ...LEAF_RULES, ...ELEMENTWISE_RULES, ...STRUCTURAL_RULES };

export type { OpRule, EvalContext } from './rule.js';
