# Data-parallel training of a gradc model exported to PyTorch (docs/torch.md):
#
#   gradc examples/digits.nn --target torch -o build          # writes build/digits.py
#   torchrun --nproc_per_node=2 examples/torch/train_ddp.py build/digits.py \
#       --data examples/data/digits.csv.gz --columns X=0:64,y=64 --val 0.2 --out digits.pt
#   gradc import-state digits.pt --model examples/digits.nn -o digits.ckpt.json
#
# Each of the K processes holds a replica (Model(seed) is the same everywhere, and
# DistributedDataParallel broadcasts rank 0's anyway); a DistributedSampler gives
# each a 1/K share of every epoch, and the gradients are averaged over the gloo
# (CPU) backend before the model's own optimizer (make_optimizer) steps. --batch
# is the global batch, as in `gradc train`: each process takes batch/K examples.
# The data files are the ones `gradc train` reads: CSV (gzip by its magic bytes,
# a first line with at least half its fields not numbers is a header) or JSON
# (rows, records, or columns), columns fed by --columns X=0:64,y=64, header
# names, or declaration order. The --val holdout is gradc's own (the same seed
# holds out the same examples); the epoch order is torch's.
import argparse
import gzip
import importlib.util
import json
import math
import os
import re
import sys
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset, DistributedSampler


def load_module(path):
    spec = importlib.util.spec_from_file_location("gradc_model", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def number(s):
    try:
        return float(s)
    except ValueError:
        return None


def read_table(path):
    """(header or None, rows as lists) for CSV, or (None, {input: [values per example]}) for named JSON."""
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8")
    if path.endswith(".json") or text.lstrip()[:1] in "[{":
        data = json.loads(text)
        if isinstance(data, dict):  # columns: {"X": [[...], ...], "y": [...]}
            return None, data
        if data and isinstance(data[0], dict):  # records: [{"X": [...], "y": 3}, ...]
            return None, {k: [r[k] for r in data] for k in data[0]}
        return None, data  # rows
    lines = [l for l in text.splitlines() if l.strip()]
    first = [f.strip() for f in lines[0].split(",")]
    header = first if sum(number(f) is None for f in first) * 2 >= len(first) else None
    rows = [[number(f) for f in l.split(",")] for l in (lines[1:] if header else lines)]
    return header, rows


def width_of(shape):
    return math.prod(d for d in shape if isinstance(d, int))


def columns_of(mod, header, ncols, spec):
    """Column indices of each input: --columns, header names, or declaration order."""
    out = {}
    if spec:
        for item in spec.split(","):
            name, cols = item.split("=")
            idx = []
            for part in cols.split("+"):
                if re.fullmatch(r"\d*:\d*", part):
                    a, b = part.split(":")
                    idx += range(int(a or 0), int(b or ncols))
                elif part.isdigit():
                    idx.append(int(part))
                else:
                    idx.append(header.index(part))
            out[name] = idx
        return out
    if header:
        for name, info in mod.INPUTS.items():
            pattern = re.compile(re.escape(name) + r"(\[\d+\]|[._]?\d+)?$")
            cols = [k for k, h in enumerate(header) if h == name or pattern.match(h)]
            if len(cols) != width_of(info["shape"]):
                break
            out[name] = cols
        else:
            return out
    k = 0
    for name, info in mod.INPUTS.items():
        out[name] = list(range(k, k + width_of(info["shape"])))
        k += width_of(info["shape"])
    if k != ncols:
        sys.exit(f"the data has {ncols} columns but the inputs take {k}: give --columns")
    return out


class Examples(Dataset):
    """One tensor per input, an example per row (its values in the input's declared order)."""

    def __init__(self, mod, path, spec):
        header, rows = read_table(path)
        if isinstance(rows, dict):
            self.values = {n: torch.tensor(rows[n], dtype=torch.float64).reshape(len(rows[n]), -1) for n in mod.INPUTS}
        else:
            cols = columns_of(mod, header, len(rows[0]), spec)
            table = torch.tensor(rows, dtype=torch.float64)
            self.values = {n: table[:, cols[n]] for n in mod.INPUTS}
        for name, info in mod.INPUTS.items():
            v = self.values[name]
            if info["int"]:
                bad = (v != v.round()) | (v < 0) | (v >= (info["bound"] or math.inf))
                if bool(bad.any()):
                    sys.exit(f"{path}: error: input '{name}' takes integers in [0, {info['bound']}); example {int(bad.any(1).nonzero()[0]) + 1} has {v[bad][0].item()}")
                self.values[name] = v.long()
            else:
                self.values[name] = v.float()
        self.n = len(next(iter(self.values.values())))

    def __len__(self):
        return self.n

    def __getitem__(self, k):
        return {name: v[k] for name, v in self.values.items()}


def batch_inputs(mod, batch):
    """A batch of examples (rows) as the model's inputs: examples are columns of [d, N], rows of [N, d]."""
    out = {}
    for name, info in mod.INPUTS.items():
        v = batch[name]
        shape = info["shape"]
        out[name] = v.t().contiguous() if len(shape) == 2 and isinstance(shape[1], str) else v.reshape(-1) if len(shape) == 1 else v
    return out


def gradc_split(mod, n, fraction, seed):
    """gradc train's holdout (runtime/train/shuffle.ts): a Fisher-Yates shuffle by stream (seed, -1)."""
    n_val = round(n * fraction)
    order = list(range(n))
    u = mod._uniform(seed, -1, torch.arange(n)).tolist()
    for k in range(n - 1, 0, -1):
        j = math.floor(u[k] * (k + 1))
        order[k], order[j] = order[j], order[k]
    return sorted(order[n_val:]), sorted(order[:n_val])


def accuracy_output(mod):
    """The output whose shape is [C, N] for an int input bounded by C, with that input."""
    for out, shape in mod.OUTPUTS.items():
        for name, info in mod.INPUTS.items():
            if info["int"] and info["bound"] and len(shape) == 2 and shape[0] == info["bound"]:
                return out, name
    return None, None


@torch.no_grad()
def evaluate(mod, model, data, indices, batch):
    model.eval()
    out, label = accuracy_output(mod)
    loss_sum, right = 0.0, 0
    for a in range(0, len(indices), batch):
        b = data.values
        idx = torch.tensor(indices[a:a + batch])
        r = model(**batch_inputs(mod, {n: v[idx] for n, v in b.items()}))
        loss_sum += float(r["loss"]) * len(idx)
        if out:
            right += int((r[out].argmax(0) == b[label][idx].reshape(-1)).sum())
    model.train()
    return loss_sum / len(indices), (right / len(indices) if out else None)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("module", help="MODEL.py from gradc MODEL.nn --target torch")
    ap.add_argument("--data", required=True)
    ap.add_argument("--columns")
    ap.add_argument("--val", type=float, default=0.0)
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--batch", type=int, default=32, help="the global batch (each process takes batch / K)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="model.pt", help="the .pt file for gradc import-state")
    args = ap.parse_args()

    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    if args.batch % world:
        sys.exit(f"--batch {args.batch} is not a multiple of the {world} processes")
    torch.manual_seed(args.seed + rank)  # dropout masks: each process its own
    mod = load_module(args.module)
    if not any(isinstance(d, str) for info in mod.INPUTS.values() for d in info["shape"]):
        sys.exit(f"{args.module}: the model has no batch dim (an input [d, N] with N a dim without a value): nothing to share out")
    data = Examples(mod, args.data, args.columns)
    train_idx, val_idx = gradc_split(mod, data.n, args.val, args.seed)
    model = mod.Model(seed=args.seed)
    ddp = DistributedDataParallel(model)
    optimizer, scheduler = mod.make_optimizer(model)
    sampler = DistributedSampler(torch.utils.data.Subset(data, train_idx), num_replicas=world, rank=rank, shuffle=True, seed=args.seed)
    loader = DataLoader(torch.utils.data.Subset(data, train_idx), batch_size=args.batch // world, sampler=sampler)

    start, steps = time.time(), 0
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        loss_sum, count = 0.0, 0
        for batch in loader:
            optimizer.zero_grad()
            r = ddp(**batch_inputs(mod, batch))
            r["loss"].backward()  # DDP averages the gradient over the processes here
            optimizer.step()
            scheduler.step()
            steps += 1
            n = len(next(iter(batch.values())))
            loss_sum, count = loss_sum + float(r["loss"]) * n, count + n
    if rank == 0:
        val_loss, val_acc = evaluate(mod, model, data, val_idx, 512) if val_idx else (None, None)
        tmp = args.out + ".tmp"
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}, tmp)
        os.replace(tmp, args.out)
        print(json.dumps({"epochs": args.epochs, "steps": steps, "processes": world, "train_loss": loss_sum / max(count, 1),
                          "val_loss": val_loss, "val_accuracy": val_acc, "seconds": round(time.time() - start, 3), "out": args.out}))
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
