// Which elements `check` compares with finite differences when a tensor has
// more than --max of them. An even sample alone can miss every nonzero entry
// (an embedding's gradient touches a few columns of E) and then passes
// vacuously; so half the budget goes to the largest |gradient| entries, the
// rest to an even sample of everything else (zeros included: a gradient that
// is wrongly zero shows up there).
export function samplePicks(g: readonly number[], max: number): number[] {
  const n = g.length;
  if (n <= max) return [...Array(n).keys()];
  const nonzero = [...Array(n).keys()].filter((k) => g[k] !== 0);
  nonzero.sort((a, b) => Math.abs(g[b]!) - Math.abs(g[a]!) || a - b);
  const picked = new Set(nonzero.slice(0, Math.ceil(max / 2)));
  const rest = max - picked.size;
  const others = n - picked.size;
  // An even sample of the indices not picked yet, walked in order.
  let seen = 0;
  let next = 0;
  for (let k = 0; k < n && next < rest; k++) {
    if (picked.has(k)) continue;
    if (seen === Math.floor((next * others) / rest)) {
      picked.add(k);
      next++;
    }
    seen++;
  }
  return [...picked].sort((a, b) => a - b);
}
