"""Optimizers, learning-rate schedules and early stopping, as the tfjs engine has them.

runtime/train/optimizers.ts already follows PyTorch's formulas, so torch.optim does the work:
SGD (momentum, Nesterov), AdamW (Adam with decoupled weight decay) and RMSprop. Weight decay
applies to kernels (tensors of rank 2 or more) only. The schedule and early-stopping state is
the same JSON as runtime/train/schedules.ts writes, so a run resumes under either engine.
"""

import math

import torch

# Optimizer slots in a checkpoint: archc's slot name for each torch.optim state entry.
SLOT_NAMES = {"exp_avg": "m", "exp_avg_sq": "v", "square_avg": "square_avg", "momentum_buffer": "momentum"}


def make_optimizer(spec, lr, named_params):
    """The torch optimizer for `spec` over the trainable `named_params` [(name, parameter)]."""
    decay = [p for _, p in named_params if p.dim() >= 2]
    rest = [p for _, p in named_params if p.dim() < 2]
    wd = spec["weightDecay"]
    groups = [{"params": decay, "weight_decay": wd}, {"params": rest, "weight_decay": 0.0}]
    groups = [g for g in groups if g["params"]]
    kind = spec["kind"]
    if kind == "sgd":
        return torch.optim.SGD(groups, lr=lr, momentum=spec["momentum"], nesterov=spec["nesterov"])
    if kind == "adam":
        betas = (spec["beta1"], spec["beta2"])
        return torch.optim.AdamW(groups, lr=lr, betas=betas, eps=spec["epsilon"])
    if kind == "rmsprop":
        return torch.optim.RMSprop(groups, lr=lr, alpha=spec["rho"], eps=spec["epsilon"], momentum=spec["momentum"])
    raise ValueError(f"unknown optimizer {kind!r}")


def set_lr(optimizer, lr):
    for group in optimizer.param_groups:
        group["lr"] = lr


def optimizer_slots(optimizer, names):
    """The optimizer's state as {"<weight>/<slot>": tensor}."""
    slots = {}
    for param, state in optimizer.state.items():
        for key, value in state.items():
            if key in SLOT_NAMES and torch.is_tensor(value):
                slots[f"{names[param]}/{SLOT_NAMES[key]}"] = value.detach().float().cpu().contiguous()
    return slots


def restore_slots(optimizer, named_params, slots, step):
    """Puts saved slots back; slots of other weights or shapes are ignored. Returns how many fit."""
    by_slot = {archc: torch_name for torch_name, archc in SLOT_NAMES.items()}
    used = 0
    for name, param in named_params:
        state = {}
        for slot, torch_name in by_slot.items():
            saved = slots.get(f"{name}/{slot}")
            if saved is not None and saved.shape == param.shape:
                state[torch_name] = saved.to(param.device, param.dtype)
                used += 1
        if state:
            state["step"] = torch.tensor(float(step))
            optimizer.state[param] = state
    return used


class Schedule:
    """The learning rate per epoch: constant, step, cosine or reduce-on-plateau."""

    def __init__(self, spec, base_lr, state=None):
        self.spec = spec
        self.base_lr = base_lr
        state = state or {"lr": base_lr, "best": None, "wait": 0}
        self.plateau = {"lr": state["lr"], "best": _finite_or(state["best"], math.inf), "wait": state["wait"]}

    def lr_for(self, epoch):
        s = self.spec
        if s["kind"] == "constant":
            return self.base_lr
        if s["kind"] == "step":
            return self.base_lr * s["gamma"] ** (epoch // s["every"])
        if s["kind"] == "cosine":
            t = min(epoch, s["epochs"]) / max(1, s["epochs"])
            return s["minLr"] + 0.5 * (self.base_lr - s["minLr"]) * (1 + math.cos(math.pi * t))
        return self.plateau["lr"]

    def observe(self, loss):
        """Reduce-on-plateau listens: an improvement must beat the best by 1e-4 (Keras's min_delta)."""
        if self.spec["kind"] != "plateau":
            return
        if loss < self.plateau["best"] - 1e-4:
            self.plateau.update(best=loss, wait=0)
            return
        self.plateau["wait"] += 1
        if self.plateau["wait"] >= self.spec["patience"]:
            self.plateau["lr"] = max(self.spec["minLr"], self.plateau["lr"] * self.spec["factor"])
            self.plateau["wait"] = 0

    def state(self):
        return {**self.plateau, "best": _json_number(self.plateau["best"])}


class EarlyStopping:
    """Keras's EarlyStopping(patience, restore_best_weights=True) on a loss."""

    def __init__(self, patience, state=None):
        self.patience = patience
        state = state or {"best": None, "bestEpoch": -1, "wait": 0}
        self.best = _finite_or(state["best"], math.inf)
        self.best_epoch = state["bestEpoch"]
        self.wait = state["wait"]

    def observe(self, loss, epoch):
        """'improved' (keep this epoch's weights), 'waiting' or 'stop'."""
        if loss < self.best:
            self.best, self.best_epoch, self.wait = loss, epoch, 0
            return "improved"
        self.wait += 1
        return "stop" if self.wait >= self.patience else "waiting"

    def state(self):
        return {"best": _json_number(self.best), "bestEpoch": self.best_epoch, "wait": self.wait}


def _finite_or(value, fallback):
    return value if isinstance(value, (int, float)) and math.isfinite(value) else fallback


def _json_number(x):
    """JSON has no Infinity: "no best yet" is written as null, as JavaScript's JSON.stringify does."""
    return x if math.isfinite(x) else None
