// Names that look alike but are different strings: Cyrillic `а` declared and
// Latin `a` used read the same on screen, so "not defined" alone would puzzle.
// A small table of the letters that are confusable with Latin ones (after
// Unicode's confusables.txt, the Cyrillic and Greek rows that matter here).
const LOOKALIKE: Record<string, string> = {
  а: 'a', в: 'b', с: 'c', е: 'e', һ: 'h', і: 'i', ј: 'j', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', ѕ: 's', т: 't',
  у: 'y', х: 'x', ԁ: 'd', ԛ: 'q', ԝ: 'w', А: 'A', В: 'B', С: 'C', Е: 'E', Н: 'H', І: 'I', Ј: 'J', К: 'K',
  М: 'M', О: 'O', Р: 'P', Ѕ: 'S', Т: 'T', Х: 'X', У: 'Y', α: 'a', ο: 'o', ρ: 'p', ν: 'v', ι: 'i', κ: 'k',
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
  '\u0131': 'i', 'ℓ': 'l',
};

/** The name as it looks: compatibility forms folded, look-alike letters replaced by their Latin twin. */
export function skeleton(name: string): string {
  return [...name.normalize('NFKC')].map((c) => LOOKALIKE[c] ?? c).join('');
}

/** A bound name that looks like `name` but is spelled with other characters, worded as a hint. */
export function lookalikeHint(name: string, bound: Iterable<string>): string | undefined {
  const s = skeleton(name);
  for (const b of bound) {
    if (b === name || skeleton(b) !== s) continue;
    const differ = [...b].filter((c, k) => c !== [...name][k]).map(codePoint);
    const used = [...name].filter((c, k) => c !== [...b][k]).map(codePoint);
    return `'${b}' looks like it but is spelled with ${differ.join(', ')} where this has ${used.join(', ')}`;
  }
  return undefined;
}

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
