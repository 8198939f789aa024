// Finding a python3 that has torch, for the commands that read and write .pt
// files (and for the tests of the torch target). GRADC_PYTHON names one;
// otherwise `python3` on the PATH, then the system's /usr/bin/python3 (where
// Debian's python3-torch installs, when a version manager's python3 comes first).
import { spawnSync } from 'node:child_process';
import { UserError } from '../errors.js';

let found: string | null | undefined;

/** The first python3 that imports torch, or null. */
export function torchPython(): string | null {
  if (found !== undefined) return found;
  const candidates = process.env.GRADC_PYTHON ? [process.env.GRADC_PYTHON] : ['python3', '/usr/bin/python3'];
  found = candidates.find((py) => spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) ?? null;
  return found;
}

/** Like torchPython(), but a missing torch is the user's error, said in one line. */
export function requireTorchPython(): string {
  const py = torchPython();
  if (!py) {
    throw new UserError('gradc: error: this needs python3 with PyTorch (tried ' +
      `${process.env.GRADC_PYTHON ?? 'python3, /usr/bin/python3'}): install it (Debian: apt-get install python3-torch) or set GRADC_PYTHON`);
  }
  return py;
}
