// fromRows, exported by every generated module: gradc's inputs hold one
// example per column (element (i, j) of X : [d, N] at X[i * N + j]), while
// TF.js tensors, CSV rows and most JS data hold one example per row
// (batch-first, [N, d]). The helper transposes such data into the module's
// layout, so nobody has to get the index arithmetic right by hand.

/** The helper's source, with `array` the typed array it fills (the module's float type). */
export function fromRowsSource(array: string): string {
  return `\
/**
 * Row-major, batch-first data in this module's layout. \`rows\` is an array of
 * examples (each an array of d numbers), or a flat array of N·d numbers with
 * \`width\` = d numbers per example (a TF.js [N, d] tensor's dataSync()). The
 * result holds example j in column j: element i of it at [i * N + j].
 */
export function fromRows(rows, width) {
  const nested = rows.length > 0 && typeof rows[0] !== 'number';
  const d = nested ? rows[0].length : width;
  const n = nested ? rows.length : rows.length / d;
  if (!(d > 0) || !Number.isInteger(n)) throw new Error(\`fromRows: \${rows.length} numbers do not split into examples of \${d}\`);
  const out = new ${array}(d * n);
  for (let j = 0; j < n; j++) {
    const row = nested ? rows[j] : undefined;
    if (row && row.length !== d) throw new Error(\`fromRows: example \${j} has \${row.length} numbers; example 0 has \${d}\`);
    for (let i = 0; i < d; i++) out[i * n + j] = row ? row[i] : rows[j * d + i];
  }
  return out;
}`;
}

/** Its declaration, for the .d.ts files. */
export function fromRowsDeclaration(array: string): string {
  return `/** Row-major, batch-first data (one example per row, as TF.js holds [N, d]) in this module's layout: one example per column, element i of example j at [i * N + j]. */
export function fromRows(rows: ArrayLike<number>[] | ArrayLike<number>, width?: number): ${array};`;
}
