// Loads generated module text as an ES module, without a temporary file.
export async function importModule<T = Record<string, unknown>>(text: string): Promise<T> {
  const url = `data:text/javascript;base64,${Buffer.from(text, 'utf8').toString('base64')}`;
  return (await import(url)) as T;
}
