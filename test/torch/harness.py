# Runs many generated torch modules in one python process (test/torch/*.test.ts
# writes the jobs): for each, the initial params of Model(seed), the loss,
# outputs and autograd gradients at given values, or several optimizer steps.
# Reads a JSON list of jobs from argv[1], writes a JSON list of results to argv[2].
import importlib.util
import json
import sys

import torch


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def flat(x):
    return x.detach().reshape(-1).tolist()


def inputs_of(job, mod):
    out = {}
    for name, v in job["inputs"].items():
        t = torch.tensor(v, dtype=torch.int64 if name in job.get("ints", []) else torch.float32)
        if name in job.get("wrt", []):
            t.requires_grad_(True)
        out[name] = t
    return out


def grad_job(mod, job):
    m = mod.Model(seed=job["seed"], dims=job.get("dims") or None, gradc_masks=True)
    init = {name: flat(getattr(m, attr)) for name, attr in mod.PARAMS.items()}
    with torch.no_grad():
        for name, v in job["params"].items():
            p = getattr(m, mod.PARAMS[name])
            p.copy_(torch.tensor(v, dtype=torch.float32).reshape(p.shape))
        for name, v in job.get("buffers", {}).items():
            b = getattr(m, mod.BUFFERS[name])
            b.copy_(torch.tensor(v, dtype=torch.float32).reshape(b.shape))
    if job.get("eval"):
        m.eval()
    inputs = inputs_of(job, mod)
    r = m(**inputs)
    r["loss"].backward()
    grad = {}
    for name, attr in mod.PARAMS.items():
        g = getattr(m, attr).grad
        grad[name] = flat(g) if g is not None else [0.0] * getattr(m, attr).numel()
    for name in job.get("wrt", []):
        g = inputs[name].grad
        grad[name] = flat(g) if g is not None else [0.0] * inputs[name].numel()
    outputs = {k: flat(v) for k, v in r.items() if k != "loss"}
    return {"init": init, "loss": float(r["loss"]), "grad": grad, "outputs": outputs}


def step_job(mod, job):
    m = mod.Model(seed=job["seed"])
    opt, sched = mod.make_optimizer(m)
    losses, rates = [], []
    for batch in job["batches"]:
        opt.zero_grad()
        r = m(**batch)
        r["loss"].backward()
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
        losses.append(float(r["loss"]))
    return {"losses": losses, "rates": rates, "state": mod.gradc_state(m, opt, sched)}


def roundtrip_job(mod, job):
    """gradc state -> module, optimizer, scheduler -> torch.save -> torch.load into fresh ones -> gradc state."""
    import io
    m = mod.Model()
    opt, sched = mod.make_optimizer(m)
    mod.load_gradc_state(m, opt, sched, job["state"])
    buf = io.BytesIO()
    torch.save({"model": m.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict()}, buf)
    buf.seek(0)
    saved = torch.load(buf)
    m2 = mod.Model(seed=1)
    opt2, sched2 = mod.make_optimizer(m2)
    m2.load_state_dict(saved["model"])
    opt2.load_state_dict(saved["optimizer"])
    sched2.load_state_dict(saved["scheduler"])
    return {"state": mod.gradc_state(m2, opt2, sched2), "lr": opt2.param_groups[0]["lr"]}


KINDS = {"grad": grad_job, "step": step_job, "roundtrip": roundtrip_job}


def main():
    jobs = json.load(open(sys.argv[1]))
    results = []
    for i, job in enumerate(jobs):
        try:
            mod = load(job["module"], f"gradc_model_{i}")
            torch.manual_seed(0)
            results.append(KINDS[job["kind"]](mod, job))
        except Exception as e:  # reported per job, so one failure does not hide the others
            results.append({"error": f"{type(e).__name__}: {e}"})
    json.dump(results, open(sys.argv[2], "w"))


main()
