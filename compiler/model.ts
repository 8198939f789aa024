// What semantic analysis produces: the model's declarations with their types,
// and its computation graph (forward, then backward) as IR, for each mode.
import type { Loc } from '../grammar/diagnostics.js';
import type { Builder, Origin } from './ir/builder.js';
import type { Node } from './ir/node.js';
import type { Shape, Size } from './ir/size.js';

/**
 * The user's view of a tensor's type: rank 0, 1 or 2, and for rank 1 whether it
 * is used as a row (vectors are columns unless transposed).
 */
export interface TensorType {
  dims: Size[];
  row?: boolean;
}

/** A value as JSON holds it: a number, or nested arrays (row-major). */
export type JsonValue = number | JsonValue[];

/** An initializer, optimizer or schedule as written: `normal(0.1)`, `adam(lr = 1e-3)`. */
export interface Spec {
  name: string;
  args: Record<string, number | boolean | Spec>;
  loc: Loc;
}

export interface DimInfo {
  name: string;
  /** Known at compile time (in the file or --dim); otherwise bound at run time. */
  value?: number;
  loc: Loc;
}

export interface TensorInfo {
  name: string;
  type: TensorType;
  /** The IR shape of the value. */
  shape: Shape;
  /** A value written in the file, as values JSON holds it. */
  value?: JsonValue;
  loc: Loc;
}

export interface ParamInfo extends TensorInfo {
  init: Spec;
}

export interface InputInfo extends TensorInfo {
  int: boolean;
  /** For integer inputs used as labels or indices: the exclusive upper bound. */
  bound?: Size;
  /** Whether the computation reads it (an unused input needs no value). */
  used: boolean;
}

/** Non-trained state (batchnorm running statistics): initial value, and where it comes from. */
export interface StateInfo {
  name: string;
  shape: Shape;
  init: number;
  loc: Loc;
}

/** One mode's computation: forward values, the gradients, and state updates. */
export interface Graph {
  loss: Node;
  outputs: Map<string, Node>;
  /** name of a param or wrt input → its gradient (the shape of the leaf). */
  grads: Map<string, Node>;
  /** state name → its new value after a training step. */
  updates: Map<string, Node>;
  /** forward node id → its adjoint (∂loss/∂node), for printing the derivation. */
  adjoints: Map<number, Node>;
}

export interface Model {
  dims: DimInfo[];
  params: ParamInfo[];
  inputs: InputInfo[];
  states: StateInfo[];
  /** Inputs named by `wrt`, in order. */
  wrt: string[];
  loss: { name: string; type: TensorType; loc: Loc };
  outputs: { name: string; type: TensorType; loc: Loc }[];
  optimizer: Spec;
  schedule: Spec;
  /** Whether train and eval mode differ (the model has dropout or batchnorm). */
  hasModes: boolean;
  train: Graph;
  eval: Graph;
  builder: Builder;
  /** For printing: the name the user gave each named node (equations, leaves). */
  names: Map<number, string>;
  /** For tracing emitted code to the source: the place of the expression each named node came from. */
  places: Map<number, Loc>;
  /** For pointing at a subexpression (lint): the first expression of the file that produced each node. */
  exprPlaces: Map<number, Loc>;
  /** For every node: the source place and the rule that produced it (forward equation or backward rule). */
  origins: ReadonlyMap<number, Origin>;
}
