// Every command of the command line, in the order `gradc --help` lists them.
// A command module exports `register(program, setExit)`.
import type { Command } from 'commander';
import { register as check } from './check.js';
import { register as compare } from './compare.js';
import { register as compile } from './compile.js';
import { register as explain } from './explain.js';
import { register as grad } from './grad.js';
import { register as hessian } from './hessian.js';
import { register as stats } from './stats.js';
import { register as torchState } from './torch-state.js';
import { register as playground } from './playground.js';
import { register as train } from './train.js';

export type Register = (program: Command, setExit: (code: number) => void) => void;

export const COMMANDS: Register[] = [compile, grad, check, explain, compare, hessian, train, playground, torchState, stats];
