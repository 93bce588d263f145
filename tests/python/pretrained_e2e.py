"""Random-weight torchvision models as a user's converted checkpoints, with PyTorch's outputs.

usage: pretrained_e2e.py OUT_DIR SPEC.json
SPEC maps a zoo model name to [torchvision builder, input size]. For each, writes to OUT_DIR:
  NAME.safetensors    the model's state_dict as safetensors.torch.save_file writes it (the
                      integer num_batches_tracked buffers included, as a plain conversion keeps them)
  NAME.input.bin      a float32 NCHW input of batch 1
  NAME.output.bin     PyTorch's float32 output for it, in eval mode
Weights are torchvision's random initialization, except that tensors it starts at zero (ViT's
head and class token, biases) are drawn too; batch norms get random affine parameters and running
statistics, so that a loader that mixed up or skipped any of them would show.
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file

from torchvision_cpu import import_torchvision


def randomize_batch_norms(model, generator):
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            n = m.num_features
            m.weight.data = torch.rand(n, generator=generator) + 0.5
            m.bias.data = torch.randn(n, generator=generator) * 0.2
            m.running_mean = torch.randn(n, generator=generator) * 0.2
            m.running_var = torch.rand(n, generator=generator) + 0.5


def randomize_zeros(model, generator):
    with torch.no_grad():
        for p in model.parameters():
            if not p.any():
                p.copy_(torch.randn(p.shape, generator=generator) * 0.02)


def main():
    torch.set_num_threads(1)
    out_dir, spec_path = sys.argv[1], sys.argv[2]
    torchvision = import_torchvision()
    spec = json.load(open(spec_path))
    for name, (builder, size) in spec.items():
        generator = torch.Generator().manual_seed(0)
        torch.manual_seed(0)
        model = getattr(torchvision.models, builder)(weights=None).eval()
        randomize_zeros(model, generator)
        randomize_batch_norms(model, generator)
        image = torch.rand(1, 3, size, size, generator=generator) * 2 - 1
        with torch.no_grad():
            logits = model(image)
        state = {k: v.contiguous() for k, v in model.state_dict().items()}
        save_file(state, os.path.join(out_dir, f"{name}.safetensors"))
        image.numpy().astype("float32").tofile(os.path.join(out_dir, f"{name}.input.bin"))
        logits.numpy().astype("float32").tofile(os.path.join(out_dir, f"{name}.output.bin"))


if __name__ == "__main__":
    main()
