// A first argument that is neither a model file nor a command, but close to
// a command's name (`gradc chek m.nn`), is a typo: say which command was meant
// instead of commander's "too many arguments for 'compile'".
import { existsSync } from 'node:fs';

/** Edit distance (insertions, deletions, substitutions, adjacent swaps). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The message for a mistyped command, or undefined when argv does not look like one. */
export function unknownCommand(argv: readonly string[], commands: readonly string[]): string | undefined {
  const first = argv[0];
  if (first === undefined || first.startsWith('-') || commands.includes(first) || existsSync(first) || /\.nn$/u.test(first)) return undefined;
  const near = commands.map((c) => [c, distance(first.toLowerCase(), c)] as const).filter(([, d]) => d <= 2).sort((a, b) => a[1] - b[1]);
  if (near.length) return `unknown command '${first}' (did you mean '${near[0]![0]}'?)`;
  // Something that is not a file, followed by a model: a command nobody has.
  if (argv.slice(1).some((a) => /\.nn$/u.test(a))) return `unknown command '${first}' (commands: ${commands.join(', ')})`;
  return undefined;
}
