// The way back and forth between a generated torch module and gradc's state()
// (params by name, optimizer slots `W.m`, running statistics `@bn0_mean`, the
// step count `@step`), as Python functions of the module. The tables they read
// (PARAMS, BUFFERS, SLOTS) are emitted per model by module.ts and optimizer.ts.

export const PY_STATE = `\
def load_gradc_state(model, optimizer, scheduler, state):
    """Loads gradc's state() (a dict of flat lists or arrays, as a gradc checkpoint's "state" holds it)."""
    t = int(state.get("@step", [0])[0])
    with torch.no_grad():
        for name, attr in PARAMS.items():
            p = getattr(model, attr)
            if name in state:
                p.copy_(torch.as_tensor(state[name], dtype=torch.float32).reshape(p.shape))
            slots = {}
            for slot, key in SLOTS.items():
                if f"{name}.{slot}" in state:
                    slots[key] = torch.as_tensor(state[f"{name}.{slot}"], dtype=torch.float32).reshape(p.shape).clone()
            if optimizer is not None and slots:
                if optimizer.__class__.__name__ != "SGD":
                    slots["step"] = torch.tensor(float(t))
                optimizer.state[p] = slots
        for name, attr in BUFFERS.items():
            if "@" + name in state:
                b = getattr(model, attr)
                b.copy_(torch.as_tensor(state["@" + name], dtype=torch.float32).reshape(b.shape))
    if scheduler is not None:
        scheduler.last_epoch = t
        for group, base, f in zip(optimizer.param_groups, scheduler.base_lrs, scheduler.lr_lambdas):
            group["lr"] = base * f(t)
        scheduler._last_lr = [group["lr"] for group in optimizer.param_groups]


def gradc_state(model, optimizer=None, scheduler=None):
    """gradc's state(): flat float32 lists by gradc's names (what a checkpoint's "state" holds)."""
    flat = lambda x: x.detach().reshape(-1).float().tolist()
    out = {}
    for name, attr in PARAMS.items():
        out[name] = flat(getattr(model, attr))
    for name, attr in PARAMS.items():
        p = getattr(model, attr)
        for slot, key in SLOTS.items():
            held = optimizer.state.get(p, {}).get(key) if optimizer is not None else None
            out[f"{name}.{slot}"] = flat(held) if held is not None else [0.0] * p.numel()
    for name, attr in BUFFERS.items():
        out["@" + name] = flat(getattr(model, attr))
    out["@step"] = [float(scheduler.last_epoch if scheduler is not None else 0)]
    return out
`;
