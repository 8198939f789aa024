// Files are written whole or not at all: to a temporary file beside the
// target, then renamed over it (a rename within a folder is atomic). A set of
// files (a module and its siblings) is written to temporary files first and
// renamed only when every one was written, so a failure never leaves a mix of
// new and old files. A path that cannot be written is the user's mistake
// (exit 1), named with the reason, never an internal error.
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ValuesError } from './values.js';

/** A file that cannot be written where the user asked (exit 1, naming the path). */
export class OutputError extends ValuesError {}

export interface OutputFile {
  path: string;
  data: string | Uint8Array;
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  writeFilesAtomic([{ path, data }]);
}

export function writeFilesAtomic(files: readonly OutputFile[]): void {
  for (const f of files) prepareFolder(f.path);
  const temps: string[] = [];
  try {
    for (const f of files) {
      const tmp = join(dirname(f.path), `.${basename(f.path)}.${process.pid}.${Date.now()}.${temps.length}.tmp`);
      temps.push(tmp);
      try {
        writeFileSync(tmp, f.data);
      } catch (e) {
        throw new OutputError(f.path, `cannot write: ${reason(e)}`);
      }
    }
    files.forEach((f, k) => {
      try {
        renameSync(temps[k]!, f.path);
      } catch (e) {
        throw new OutputError(f.path, `cannot write: ${reason(e)}`);
      }
    });
  } finally {
    for (const t of temps) rmSync(t, { force: true });
  }
}

/** Creates the file's folder; refuses a path that is a folder, or a folder that is a file. */
function prepareFolder(path: string): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? `'${blocker(dir)}' is a file, not a folder` : reason(e);
    throw new OutputError(dir, `cannot create the folder for ${basename(path)}: ${why}`);
  }
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new OutputError(path, 'is a folder: cannot write a file there (choose another path)');
}

/** The first path from the root down to `dir` that exists and is not a folder. */
function blocker(dir: string): string {
  const parts: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    parts.unshift(d);
    if (dirname(d) === d) break;
  }
  return parts.find((p) => statSync(p, { throwIfNoEntry: false })?.isFile()) ?? dir;
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const known: Record<string, string> = { EACCES: 'permission denied', EPERM: 'not permitted', EISDIR: 'it is a folder', ENOSPC: 'no space left on the device', EROFS: 'a read-only file system', ENOTDIR: 'a file is in the way of its folder' };
  return (err.code && Object.hasOwn(known, err.code) ? known[err.code] : undefined) ?? err.message ?? String(e);
}
