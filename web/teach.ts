// The teaching views in the page: `explain` on values typed in a small form
// (what `--at VALUES.json` holds), and `compare` as a table.
import { tensor, type Tensor } from '../compiler/ir/tensor.js';
import type { JsonValue } from '../compiler/model.js';
import { comparisonTables } from '../compiler/teach/compare.js';
import { formatTrace, trace } from '../compiler/teach/trace.js';
import { bindValues, ValuesError } from '../runtime/values.js';
import type { GeneratedModule } from '../runtime/module-types.js';
import type { Compilation } from '../targets/library.js';

/** Loads generated module text as an ES module (a Blob URL: no server round trip). */
export async function importText<T>(text: string): Promise<T> {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
  try {
    return (await import(/* @vite-ignore */ url)) as T;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Leaves with at most this many numbers get a prefilled field; larger ones keep their initial or written values unless typed. */
const SMALL = 16;

const show = (v: ArrayLike<number>, dims: number) => JSON.stringify(dims === 0 ? v[0] : Array.from(v));

/** The form: one field per param and input, prefilled with the model's values or the params `create({ seed: 0 })` draws; what the user typed stays. */
export async function renderExplainForm(form: HTMLFormElement, c: Compilation): Promise<void> {
  const model = c.model!;
  const typed = new Map([...form.querySelectorAll('input')].filter((i) => i.dataset.typed).map((i) => [i.name, i.value]));
  const mod = await importText<GeneratedModule>(c.js('f64').text);
  let params: Record<string, ArrayLike<number>> = {};
  try {
    params = mod.create({ seed: 0 }).params;
  } catch {
    // run-time sizes: the params take their size from the values given
  }
  const rows: HTMLElement[] = [];
  for (const t of [...model.params, ...model.inputs]) {
    const label = document.createElement('label');
    const input = document.createElement('input');
    input.name = t.name;
    const shape = t.type.dims.length ? `[${t.type.dims.map((d) => d.key).join(', ')}]` : 'scalar';
    const p = params[t.name];
    if (typed.has(t.name)) [input.value, input.dataset.typed] = [typed.get(t.name)!, '1'];
    else if (t.value !== undefined) input.value = JSON.stringify(t.value);
    else if (p && p.length <= SMALL) input.value = show(p, t.type.dims.length);
    input.addEventListener('input', () => (input.dataset.typed = '1'));
    input.placeholder = 'init' in t ? `as initialized (${(t as { init: { name: string } }).init.name}, seed 0)` : 'a number or a JSON array';
    label.append(`${'init' in t ? 'param' : 'input'} ${t.name} : ${shape}`, input);
    rows.push(label);
  }
  const run = document.createElement('button');
  run.type = 'submit';
  run.textContent = 'explain';
  form.replaceChildren(...rows, run);
}

/** Runs the trace on the form's values: exactly `gradc explain --at` (the JS module's float64 params where a field is empty). */
export async function runExplain(form: HTMLFormElement, out: HTMLElement, c: Compilation): Promise<void> {
  const model = c.model!;
  try {
    const given: Record<string, JsonValue> = {};
    for (const input of form.querySelectorAll('input')) {
      if (!input.value.trim()) continue;
      try {
        given[input.name] = JSON.parse(input.value) as JsonValue;
      } catch (e) {
        throw new ValuesError('values', `'${input.name}' is not JSON: ${(e as Error).message}`);
      }
    }
    const bound = bindValues(model, 'values', given);
    const mod = await importText<GeneratedModule>(c.js('f64').text);
    const m = mod.create({ seed: 0, dims: bound.dims });
    for (const [name, v] of Object.entries(bound.params)) m.params[name]!.set(v);
    const values: Record<string, Tensor> = {};
    const shaped = (t: { shape: (typeof model.params)[number]['shape'] }, data: ArrayLike<number>) => tensor(t.shape[0].eval(bound.dims), t.shape[1].eval(bound.dims), data);
    for (const p of model.params) values[p.name] = shaped(p, m.params[p.name]!);
    for (const i of model.inputs) if (bound.inputs[i.name]) values[i.name] = shaped(i, bound.inputs[i.name]!);
    out.textContent = formatTrace(trace(model, { values, dims: bound.dims, seed: 0 }));
    out.classList.remove('error');
  } catch (e) {
    out.textContent = (e as Error).message;
    out.classList.add('error');
  }
}

export function renderCompare(into: HTMLElement, c: Compilation): void {
  const t = comparisonTables(c.compare());
  const table = (head: string[], rows: string[][], left: number) => {
    const el = document.createElement('table');
    const tr = (cells: string[], tag: 'th' | 'td') => {
      const r = document.createElement('tr');
      cells.forEach((s, j) => {
        const cell = document.createElement(tag);
        cell.textContent = s;
        if (j >= left) cell.className = 'num';
        r.append(cell);
      });
      return r;
    };
    el.append(tr(head, 'th'), ...rows.map((r) => tr(r, 'td')));
    return el;
  };
  const p = (s: string, cls?: string) => Object.assign(document.createElement('p'), { textContent: s, className: cls ?? '' });
  into.replaceChildren(p(`${c.file}: ${t.title}`), table(t.costs.head, t.costs.rows, 1), p(t.costs.note, 'note'), ...(t.swell ? [p(t.swell.title), table(t.swell.head, t.swell.rows, 2)] : []));
}
