"""Weights in and out of the module by archc's names, as safetensors.

The module's state_dict keys are archc's weight names (compiler/lower-pytorch), so loading is a
strict load_state_dict, apart from the counters batch norm keeps (num_batches_tracked), which
archc does not have. Checkpoints are written to a temporary file and renamed, never half-written.
"""

import os

import torch
from safetensors.torch import load_file, save_file


def load_weights(model, path):
    """Loads `path` into `model` (or just returns its tensors when `model` is None)."""
    tensors = load_file(path)
    if model is None:
        return tensors
    expected = {k for k in model.state_dict() if not k.endswith("num_batches_tracked")}
    missing = sorted(expected - tensors.keys())
    unexpected = sorted(tensors.keys() - expected)
    if missing or unexpected:
        raise ValueError(
            "the PyTorch module's weight names differ from archc's: "
            f"the module has {missing[:5]} that archc's weights lack, archc's weights have {unexpected[:5]}"
        )
    model.load_state_dict(tensors, strict=False)
    return tensors


def save_checkpoint(folder, model, names, slots, step, model_name):
    """model.safetensors (the weights named `names`) and optimizer.safetensors in `folder`."""
    os.makedirs(folder, exist_ok=True)
    state = model.state_dict()
    weights = {name: state[name].detach().float().cpu().contiguous() for name in names}
    _save_atomic(weights, os.path.join(folder, "model.safetensors"), {"format": "archc", "model": model_name})
    if slots:
        _save_atomic(slots, os.path.join(folder, "optimizer.safetensors"), {"step": str(step)})


def _save_atomic(tensors, path, metadata):
    temp = f"{path}.{os.getpid()}.tmp"
    try:
        save_file(tensors, temp, metadata=metadata)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)
