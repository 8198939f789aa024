// Params and inputs: their types, values written in the file, initializers.
import type { ValueLit } from '../../grammar/ast.js';
import { Size } from '../ir/size.js';
import type { InputInfo, JsonValue, ParamInfo, TensorType } from '../model.js';
import type { Scope } from './scope.js';
import { INITIALIZERS, readSpec } from './specs.js';
import { formatType, toShape } from './types.js';

export function declareTensors(scope: Scope): { params: Map<string, ParamInfo>; inputs: Map<string, InputInfo> } {
  const params = new Map<string, ParamInfo>();
  const inputs = new Map<string, InputInfo>();
  for (const bnd of scope.bindings.values()) {
    if (bnd.kind !== 'param' && bnd.kind !== 'input') continue;
    const s = bnd.stmt;
    const value = s.value ? literal(scope, s.value) : undefined;
    let type: TensorType | undefined;
    if (s.shape) {
      const dims = s.shape.map((e) => scope.size(e));
      if (dims.some((d) => !d)) continue;
      if (dims.length > 2) {
        scope.diags.error(s.shape[2]!.start, `tensors have at most 2 axes; this shape has ${dims.length}`);
        continue;
      }
      type = { dims: dims as Size[] };
    } else {
      // No shape: a scalar, or the shape of the value written.
      const shape = value === undefined ? [] : shapeOf(value);
      if (!shape) {
        scope.diags.error(s.value!.start, 'a value must be a number or a rectangular list of numbers');
        continue;
      }
      if (shape.length > 2) {
        scope.diags.error(s.value!.start, `tensors have at most 2 axes; this value has ${shape.length}`);
        continue;
      }
      type = { dims: shape.map((n) => Size.of(n)) };
    }
    if (value !== undefined && !fits(value, type)) {
      scope.diags.error(s.value!.start, `the value does not have the declared shape ${formatType(type)}`);
      continue;
    }
    const base = { name: bnd.name, type, shape: toShape(type), value, loc: bnd.loc };
    if (s.kind === 'input') {
      if (s.init) scope.diags.error(s.init.start, 'an input has no initializer (only params do)');
      inputs.set(bnd.name, { ...base, int: s.isInt, used: false });
    } else {
      if (s.isInt) scope.diags.error(s.loc, 'params are real-valued; only inputs can be int');
      const init = s.init
        ? readSpec(scope, s.init, INITIALIZERS, 'initializer')
        : { name: type.dims.length <= 1 ? 'zeros' : 'xavier', args: {}, loc: bnd.loc };
      if (!init) continue;
      params.set(bnd.name, { ...base, init });
    }
  }
  return { params, inputs };
}

/** Evaluates a value literal to JSON form; reports and returns undefined on a mistake. */
function literal(scope: Scope, v: ValueLit): JsonValue | undefined {
  if (v.kind === 'list') {
    const items = v.items.map((i) => literal(scope, i));
    return items.some((i) => i === undefined) ? undefined : (items as JsonValue[]);
  }
  return scope.constant(v, 'a value');
}

/** The shape of a rectangular nested list, or undefined. */
export function shapeOf(v: JsonValue): number[] | undefined {
  if (typeof v === 'number') return [];
  if (v.length === 0) return [0];
  const inner = shapeOf(v[0]!);
  if (!inner) return undefined;
  for (const e of v) {
    const s = shapeOf(e);
    if (!s || s.length !== inner.length || s.some((d, k) => d !== inner[k])) return undefined;
  }
  return [v.length, ...inner];
}

/** Whether a value has a type's shape (run-time sizes match anything). */
function fits(v: JsonValue, t: TensorType): boolean {
  const s = shapeOf(v);
  if (!s || s.length !== t.dims.length) return false;
  return t.dims.every((d, i) => d.constant === undefined || d.constant === s[i]);
}
