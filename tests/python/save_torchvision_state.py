"""Save a torchvision model's state dict as safetensors, as a user converts a checkpoint.

usage: save_torchvision_state.py BUILDER OUT.safetensors [SEED]
The model has random weights and random batch-norm running statistics (so that loading them by
name is visible), and `num_batches_tracked` is left out, as archc has none.
"""
import sys

import torch
from safetensors.torch import save_file

from torchvision_cpu import import_torchvision


def main():
    builder, out = sys.argv[1], sys.argv[2]
    torch.manual_seed(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    model = getattr(import_torchvision().models, builder)(weights=None)
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
    state = {k: v.contiguous() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    save_file(state, out)


if __name__ == "__main__":
    main()
