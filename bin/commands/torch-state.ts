// gradc export-state CHECKPOINT.json --torch OUT.pt and gradc import-state IN.pt
// --model MODEL.nn -o CHECKPOINT.json: a checkpoint's state (params, optimizer
// slots, running statistics, step count) to a torch .pt file and back, through
// the model's generated torch module (its load_gradc_state and gradc_state).
// .pt files are pickles: python3 with torch reads and writes them.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Model } from '../../compiler/model.js';
import { instantiate } from '../../runtime/instantiate.js';
import type { Checkpoint } from '../../runtime/train/checkpoint.js';
import { readCheckpoint, writeCheckpoint } from '../../runtime/train/checkpoint-file.js';
import { validateCheckpoint, validateState } from '../../runtime/train/validate-checkpoint.js';
import { emitTorchModule } from '../../targets/torch/module.js';
import { UsageError, UserError } from '../errors.js';
import { parseDims, readModel } from '../load.js';
import { VERSION } from '../version.js';
import { collect } from './options.js';
import { requireTorchPython } from './python.js';

/** The Python side: argv = module.py, direction, in, out, the name to blame. Errors print one line and exit 1. */
const SCRIPT = `
import importlib.util, json, os, sys
import torch
spec = importlib.util.spec_from_file_location("gradc_model", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
model = mod.Model()
optimizer, scheduler = mod.make_optimizer(model)
direction, src, dst, label = sys.argv[2:6]
try:
    if direction == "export":
        mod.load_gradc_state(model, optimizer, scheduler, json.load(open(src)))
        tmp = dst + ".tmp"
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}, tmp)
        os.replace(tmp, dst)
    else:
        try:
            saved = torch.load(src, map_location="cpu")
        except Exception as e:
            raise ValueError(f"not a torch .pt file ({e})")
        weights = saved.get("model", saved) if isinstance(saved, dict) else None
        if not isinstance(weights, dict):
            raise ValueError("not a torch state_dict, nor a dict holding one under 'model'")
        # A DistributedDataParallel module's state_dict prefixes every key with 'module.'.
        weights = {k[len("module."):] if k.startswith("module.") else k: v for k, v in weights.items()}
        model.load_state_dict(weights)
        if "optimizer" in saved:
            optimizer.load_state_dict(saved["optimizer"])
            # Another optimizer's state would load without a word and leave gradc's slots at zero.
            for st in optimizer.state.values():
                odd = sorted(set(st) - set(mod.SLOTS.values()) - {"step"}) + sorted(set(mod.SLOTS.values()) - set(st))
                if odd:
                    raise ValueError(f"its optimizer state ({', '.join(sorted(st))}) is not the model's {type(optimizer).__name__}'s ({', '.join(mod.SLOTS.values()) or 'no slots'})")
        if "scheduler" in saved:
            scheduler.load_state_dict(saved["scheduler"])
        json.dump(mod.gradc_state(model, optimizer, scheduler), open(dst, "w"))
except Exception as e:
    # One line: torch's load_state_dict message spreads its list of keys over several.
    print(f"{label}: error: " + " ".join(str(e).split())[:400], file=sys.stderr)
    sys.exit(1)
`;

/** Runs the script on the model's torch module, written to a scratch folder. */
function runTorch(model: Model, modelFile: string, direction: 'export' | 'import', src: string, dst: string, label: string): void {
  const py = requireTorchPython();
  const dir = mkdtempSync(join(tmpdir(), 'gradc-state-'));
  try {
    const module = join(dir, 'model.py');
    writeFileSync(module, emitTorchModule(model, { source: basename(modelFile), version: VERSION }));
    const script = join(dir, 'state.py');
    writeFileSync(script, SCRIPT);
    const r = spawnSync(py, [script, module, direction, src, dst, label], { encoding: 'utf8' });
    if (r.status !== 0) {
      const last = (r.stderr || r.error?.message || 'python3 failed').trim().split('\n').pop()!;
      throw new UserError(last.includes(': error: ') ? last : `${label}: error: ${last}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The state must be the model's: every param, slot and statistic of the JS module's own state(), of its length. */
async function checkState(model: Model, ck: Checkpoint, file: string, modelFile: string): Promise<void> {
  const expected = (await instantiate(model)).state();
  validateState(file, ck, expected, basename(modelFile));
}

interface StateOptions {
  torch?: string;
  model?: string;
  output?: string;
  dim?: string[];
}

export async function exportState(checkpoint: string, opts: StateOptions): Promise<number> {
  if (!opts.torch) throw new UsageError('export-state wants --torch OUT.pt');
  const ck = readCheckpoint(checkpoint);
  const modelFile = opts.model ?? join(dirname(checkpoint), ck.model.file);
  if (!existsSync(modelFile)) throw new UsageError(`the checkpoint's model ${modelFile} is not there: give --model MODEL.nn`);
  const { model } = readModel(modelFile, parseDims(opts.dim), true);
  await checkState(model, ck, checkpoint, modelFile);
  const dir = mkdtempSync(join(tmpdir(), 'gradc-state-'));
  try {
    const stateFile = join(dir, 'state.json');
    writeFileSync(stateFile, JSON.stringify(ck.state));
    runTorch(model, modelFile, 'export', stateFile, resolve(opts.torch), checkpoint);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stderr.write(`wrote ${opts.torch} (${model.params.length} params, optimizer ${model.optimizer.name}, step ${ck.step})\n`);
  return 0;
}

export async function importState(pt: string, opts: StateOptions): Promise<number> {
  if (!opts.model) throw new UsageError('import-state wants --model MODEL.nn');
  if (!opts.output) throw new UsageError('import-state wants -o CHECKPOINT.json');
  if (!existsSync(pt)) throw new UsageError(`cannot read '${pt}': no such file`);
  const { model, source } = readModel(opts.model, parseDims(opts.dim), true);
  const dir = mkdtempSync(join(tmpdir(), 'gradc-state-'));
  let state: Record<string, number[]>;
  try {
    const out = join(dir, 'state.json');
    runTorch(model, opts.model, 'import', resolve(pt), out, pt);
    state = JSON.parse(readFileSync(out, 'utf8')) as Record<string, number[]>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const step = state['@step']?.[0] ?? 0;
  const ck: Checkpoint = {
    format: 'gradc-checkpoint',
    version: 1,
    model: { file: basename(opts.model), sha256: createHash('sha256').update(source).digest('hex') },
    data: null,
    // Not trained by gradc train: its settings are the defaults of one epoch, none of it done.
    settings: { seed: 0, batch: 32, val: 0, epochs: 1, patience: null, columns: null },
    epoch: 0,
    position: 0,
    step,
    partial: { loss_sum: 0, examples: 0 },
    best: { val_loss: null, epoch: 0, waited: 0 },
    history: [],
    seconds: 0,
    state,
  };
  // What is written is a checkpoint gradc reads back: checked as any other before it is written.
  validateCheckpoint(opts.output, JSON.parse(JSON.stringify(ck)));
  await checkState(model, ck, pt, opts.model);
  writeCheckpoint(opts.output, ck);
  process.stderr.write(`wrote ${opts.output} (${model.params.length} params, step ${step})\n`);
  return 0;
}

export function register(p: Command, setExit: (code: number) => void): void {
  p.command('export-state')
    .description("write a checkpoint's params and optimizer state as a torch .pt file, for MODEL.py (--target torch)")
    .argument('<checkpoint>', 'a gradc checkpoint (MODEL.ckpt.json)')
    .option('--torch <out.pt>', 'the .pt file to write')
    .option('--model <model.nn>', "the model (default: the checkpoint's, beside it)")
    .option('--dim <name=value>', 'set a dim (repeatable)', collect, [])
    .action(async (ck, opts) => setExit(await exportState(ck, opts)));
  p.command('import-state')
    .description('read a torch .pt file (from MODEL.py, or a state_dict) into a gradc checkpoint')
    .argument('<in.pt>', 'a .pt file: {"model", "optimizer", "scheduler"} state dicts, or a bare state_dict')
    .option('--model <model.nn>', 'the model the weights belong to')
    .option('-o, --output <checkpoint.json>', 'the checkpoint to write')
    .option('--dim <name=value>', 'set a dim (repeatable)', collect, [])
    .action(async (pt, opts) => setExit(await importState(pt, opts)));
}
