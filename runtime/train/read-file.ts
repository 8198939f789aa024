// A data file's bytes as a table (Node): gzip is read by its magic bytes.
import { gunzipSync } from 'node:zlib';
import { ValuesError } from '../values.js';
import { readDataText, type DataFile } from './table.js';

/** The file's text, gunzipped when it starts with gzip's magic bytes. */
export function decode(file: string, bytes: Uint8Array): string {
  let b = bytes;
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
    try {
      b = gunzipSync(b);
    } catch (e) {
      throw new ValuesError(file, `not a valid gzip file (${(e as Error).message})`);
    }
  }
  const text = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function readDataFile(file: string, bytes: Uint8Array): DataFile {
  return readDataText(file, decode(file, bytes));
}
