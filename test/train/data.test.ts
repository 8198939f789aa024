// Data for training: CSV (gzip, header or not), JSON in its three forms, the
// mapping of columns onto inputs, every kind of bad row named by file, row and
// column, batches in the model's layout, and the seeded orders.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Batcher, layoutOf, loadDataset, OptionError, parseColumns, type Layout } from '../../runtime/train/data.js';
import { epochOrder, shuffle, split } from '../../runtime/train/shuffle.js';
import { readDataFile } from '../../runtime/train/table.js';
import { ValuesError } from '../../runtime/values.js';
import { compile } from './util.js';

const IRIS_LIKE = 'dim N\ninput X : [4, N]\ninput y : [N] int\nparam W : [3, 4]\nF = W X\nloss J = mean(softmax_cross_entropy(F, y))\noutput p = softmax(F)\n';
const layout = layoutOf(compile(IRIS_LIKE));
const bytes = (s: string) => new TextEncoder().encode(s);
const load = (file: string, text: string | Uint8Array, columns?: string, l: Layout = layout) =>
  loadDataset(readDataFile(file, typeof text === 'string' ? bytes(text) : text), l, columns);

/** The message of what `f` throws, and that it is a ValuesError (exit 1). */
function dataError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ValuesError);
    return (e as Error).message;
  }
  throw new Error('no error');
}
function optionError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(OptionError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

const ROWS = '5.1,3.5,1.4,0.2,0\n4.9,3.0,1.4,0.2,1\n6.3,3.3,6.0,2.5,2\n';

describe('layout', () => {
  it('finds the batch dim and what each input takes per example', () => {
    expect(layout.batchDim).toBe('N');
    expect(layout.inputs.map((i) => [i.name, i.width, i.int, i.bound, i.examplesAre])).toEqual([
      ['X', 4, false, undefined, 'columns'],
      ['y', 1, true, 3, 'columns'],
    ]);
    const rows = layoutOf(compile('dim N\ninput X : [N, 4]\nparam w : [4]\nloss J = sum(X w)\n'));
    expect(rows.inputs[0]).toMatchObject({ name: 'X', width: 4, examplesAre: 'rows' });
  });

  it('without a batch dim, an example is all of every input (one per step)', () => {
    const l = layoutOf(compile('input x : [2, 3]\ninput c : int\nparam W : [4, 3]\nloss J = sum(W x^T)\n'));
    expect(l.batchDim).toBeUndefined();
    expect(l.inputs.map((i) => i.width)).toEqual([6, 1]);
  });

  it('refuses inputs it cannot feed one example at a time', () => {
    expect(optionError(() => layoutOf(compile('dim N, K\ninput X : [K, N]\nparam w : [3]\nloss J = sum(X) + sum(w)\n')))).toMatch(/run-time dims K, N.*--dim/u);
    expect(optionError(() => layoutOf(compile('dim N\ninput X : [3, N]\ninput s : [3]\nloss J = sum(X) + sum(s)\n')))).toMatch(/'s' : \[3\] does not hold one example per N/u);
  });
});

describe('CSV', () => {
  it('reads rows without a header, columns in declaration order', () => {
    const d = load('iris.csv', ROWS);
    expect(d.n).toBe(3);
    expect(Array.from(d.values.get('X')!)).toEqual([5.1, 3.5, 1.4, 0.2, 4.9, 3.0, 1.4, 0.2, 6.3, 3.3, 6.0, 2.5]);
    expect(Array.from(d.values.get('y')!)).toEqual([0, 1, 2]);
  });

  it('reads gzip transparently (by its magic bytes), CRLF line ends and blank lines', () => {
    const d = load('data.csv.gz', gzipSync(bytes(ROWS.replace(/\n/gu, '\r\n') + '\r\n\r\n')));
    expect(d.n).toBe(3);
    expect(Array.from(d.values.get('y')!)).toEqual([0, 1, 2]);
  });

  it('skips a header line (half its fields or more not numbers), and maps by header names when they name the inputs', () => {
    expect(load('iris.csv', `150,4,setosa,versicolor,virginica\n${ROWS}`).n).toBe(3);
    const named = load('named.csv', `y,X[0],X[1],X[2],X[3]\n0,1,2,3,4\n2,5,6,7,8\n`);
    expect(Array.from(named.values.get('X')!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(named.values.get('y')!)).toEqual([0, 2]);
    const plain = load('named.csv', `X,X,X,X,id,y\n1,2,3,4,99,1\n`);
    expect(Array.from(plain.values.get('y')!)).toEqual([1]);
  });

  it('maps columns with --columns: ranges, single columns, + and header names', () => {
    const text = 'a,b,c,d,e,f,label\n1,2,3,4,5,6,2\n';
    expect(Array.from(load('d.csv', text, 'X=0:4,y=6').values.get('X')!)).toEqual([1, 2, 3, 4]);
    expect(Array.from(load('d.csv', text, 'X=0:2+4:6, y=label').values.get('X')!)).toEqual([1, 2, 5, 6]);
    expect(Array.from(load('d.csv', text, 'X=a+b+e+f,y=6').values.get('X')!)).toEqual([1, 2, 5, 6]);
    expect(Array.from(load('d.csv', text, 'X=2:6,y=6').values.get('X')!)).toEqual([3, 4, 5, 6]);
    expect(parseColumns('X=:64,y=64')).toEqual(new Map([['X', [{ from: 0, to: 64 }]], ['y', [{ from: 64, to: 65 }]]]));
  });

  it('names the file, the line and the column of a bad value', () => {
    expect(dataError(() => load('data.csv', '1,2,3,4,0\n1,2,abc,4,1\n'))).toBe("data.csv:2:5: error: column 2 (X[2]): 'abc' is not a number");
    // A bad value in the first row is not taken for a header.
    expect(dataError(() => load('data.csv', '1,2,x,4,0\n1,2,3,4,1\n'))).toBe("data.csv:1:5: error: column 2 (X[2]): 'x' is not a number");
    expect(dataError(() => load('data.csv', '1,2,3,4,0\n1,2,,4,1\n'))).toBe('data.csv:2:5: error: column 2 (X[2]): an empty field is not a number');
    expect(dataError(() => load('data.csv', '1,2,3,4,0\n\n1,2,3,4,1\n1,2,3,4\n'))).toBe('data.csv:4: error: 4 columns, but the first row has 5');
    expect(dataError(() => load('data.csv', 'p,q,r,s,t\n1,2,3,4,0\n1,2,3,4,3\n'))).toBe("data.csv:3:9: error: column 4 (y): label 3 is out of range: 'y' takes integers in [0, 3)");
    expect(dataError(() => load('data.csv', '1,2,3,4,-1\n'))).toMatch(/^data.csv:1:9: error: column 4 \(y\): label -1 is out of range/u);
    expect(dataError(() => load('data.csv', '1,2,3,4,1.5\n'))).toBe("data.csv:1:9: error: column 4 (y): 'y' is an int input; 1.5 is not an integer");
    expect(dataError(() => load('data.csv', '1,2,3,4,0\n1,2,3,inf,0\n'))).toBe("data.csv:2:7: error: column 3 (X[3]): 'inf' is not a number");
    expect(dataError(() => load('data.csv', 'a,b,c\n'))).toBe('data.csv: error: no data rows after the header on line 1');
    expect(dataError(() => load('data.csv.gz', new Uint8Array([0x1f, 0x8b, 1, 2, 3])))).toMatch(/^data.csv.gz: error: not a valid gzip file/u);
  });

  it('says which columns are missing when they cannot be mapped', () => {
    expect(optionError(() => load('d.csv', '1,2,3,4\n'))).toBe('d.csv has 4 columns, but the inputs take 5: X (4), y (1); say which columns feed which input with --columns (like --columns X=0:4,y=4)');
    expect(optionError(() => load('d.csv', ROWS, 'X=0:4,y=9'))).toMatch(/y=9:10 is outside the 5 columns of d.csv/u);
    expect(optionError(() => load('d.csv', ROWS, 'X=0:3,y=4'))).toBe("--columns gives 3 columns to 'X', which takes 4 per example");
    expect(optionError(() => load('d.csv', ROWS, 'X=0:4,z=4'))).toMatch(/'z' is not an input of the model/u);
    expect(optionError(() => load('d.csv', ROWS, 'X=0:4'))).toBe("--columns gives no columns for input 'y'");
    expect(optionError(() => load('d.csv', ROWS, 'X=0:4,y=label'))).toMatch(/no column named 'label' \(d.csv has no header\)/u);
  });
});

describe('JSON', () => {
  it('reads records, columns by input name, and rows', () => {
    const rec = load('d.json', JSON.stringify([{ X: [1, 2, 3, 4], y: 2 }, { X: [5, 6, 7, 8], y: 0 }]));
    const col = load('d.json', JSON.stringify({ X: [[1, 2, 3, 4], [5, 6, 7, 8]], y: [2, 0] }));
    const rows = load('d.json', JSON.stringify([[1, 2, 3, 4, 2], [5, 6, 7, 8, 0]]));
    for (const d of [rec, col, rows]) {
      expect(Array.from(d.values.get('X')!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(Array.from(d.values.get('y')!)).toEqual([2, 0]);
    }
  });

  it('names the entry of a bad value', () => {
    expect(dataError(() => load('d.json', '[{"X":[1,2,3,4],"y":0},{"X":[1,2,3],"y":1}]'))).toBe("d.json: error: [1].X: 3 values; 'X' takes 4 per example");
    expect(dataError(() => load('d.json', '{"X":[[1,2,3,4],[1,2,3,4]],"y":[0,7]}'))).toBe("d.json: error: y[1]: label 7 is out of range: 'y' takes integers in [0, 3)");
    expect(dataError(() => load('d.json', '[[1,2,3,4,0],[1,2,3,4,"x"]]'))).toBe("d.json: error: [1][4] (y): 'x' is not a number");
    expect(dataError(() => load('d.json', '[{"X":[1,2,3,4],"y":0},{"X":[1,2,3,4]}]'))).toBe("d.json: error: [1]: no value for 'y'");
    expect(dataError(() => load('d.json', '{"X":[[1,2,3,4]],"y":[0],"z":[1]}'))).toMatch(/'z' is not an input of the model/u);
    expect(dataError(() => load('d.json', '{"X":[[1,2,3,4]],"y":[0, 1]}'))).toBe("d.json: error: 'y' has 2 examples, but 'X' has 1");
    expect(dataError(() => load('d.json', '[1, 2'))).toMatch(/^d.json: error: not valid JSON/u);
  });
});

describe('batches', () => {
  it('put example j of the batch in column j of [d, N] inputs and row j of [N, d] inputs', () => {
    const d = load('iris.csv', ROWS);
    const b = new Batcher(d, layout).batch(Int32Array.from([2, 0]), 0, 2);
    expect(Array.from(b.X!)).toEqual([6.3, 5.1, 3.3, 3.5, 6.0, 1.4, 2.5, 0.2].map(Math.fround));
    expect(b.y).toBeInstanceOf(Int32Array);
    expect(Array.from(b.y!)).toEqual([2, 0]);
    const rows = layoutOf(compile('dim N\ninput X : [N, 4]\ninput y : [N] int\nparam w : [4]\nloss J = sum(X w)\n'));
    const r = new Batcher(load('iris.csv', ROWS, undefined, rows), rows).batch(Int32Array.from([1, 2, 0]), 1, 3);
    expect(Array.from(r.X!)).toEqual([6.3, 3.3, 6.0, 2.5, 5.1, 3.5, 1.4, 0.2].map(Math.fround));
  });
});

describe('seeded orders', () => {
  it('shuffle is a permutation, fixed by (seed, stream)', () => {
    const a = Int32Array.from({ length: 100 }, (_, k) => k);
    const s = shuffle(a, 3, 7);
    expect([...s].sort((x, y) => x - y)).toEqual([...a]);
    expect(s).not.toEqual(a);
    expect(shuffle(a, 3, 7)).toEqual(s);
    expect(shuffle(a, 4, 7)).not.toEqual(s);
  });

  it('every position is equally likely (Fisher–Yates, not a biased sort)', () => {
    const n = 5;
    const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const trials = 4000;
    for (let t = 0; t < trials; t++) shuffle(Int32Array.from({ length: n }, (_, k) => k), t, 1).forEach((v, pos) => counts[v]![pos]!++);
    const p = 1 / n;
    const sd = Math.sqrt((trials * p * (1 - p)));
    for (const row of counts) for (const c of row) expect(Math.abs(c - trials * p)).toBeLessThan(5 * sd);
  });

  it('split holds out round(n·fraction) examples, disjoint from the training ones, by the seed', () => {
    const s = split(1797, 0.2, 0);
    expect(s.val.length).toBe(359);
    expect(s.train.length).toBe(1438);
    const all = new Set([...s.train, ...s.val]);
    expect(all.size).toBe(1797);
    expect(split(1797, 0.2, 0)).toEqual(s);
    expect(split(1797, 0.2, 1).val).not.toEqual(s.val);
    expect(split(10, 0, 0).val.length).toBe(0);
  });

  it('each epoch has its own order, the same in every run', () => {
    const train = split(50, 0.2, 0).train;
    const e0 = epochOrder(train, 0, 0);
    expect(epochOrder(train, 0, 0)).toEqual(e0);
    expect(epochOrder(train, 0, 1)).not.toEqual(e0);
    expect([...e0].sort((a, b) => a - b)).toEqual([...train]);
  });
});
