"""Print torchvision's state_dict keys and shapes for zoo models, as JSON on stdout.

usage: torchvision_keys.py SPEC.json
SPEC maps a zoo model name to [torchvision builder, keyword arguments], e.g.
{"googlenet": ["googlenet", {"aux_logits": false, "init_weights": false}]}. Models are built with
random initial weights on the meta device (no memory, no download, no forward pass), and
`num_batches_tracked` buffers are left out, as archc has none.
"""
import json
import sys

import torch

from torchvision_cpu import import_torchvision


def keys_and_shapes(builder, kwargs):
    with torch.device("meta"):
        model = builder(weights=None, **kwargs)
    return {k: list(v.shape) for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}


def main():
    torchvision = import_torchvision()
    spec = json.load(open(sys.argv[1]))
    out = {}
    for zoo_name, (builder_name, kwargs) in spec.items():
        builder = getattr(torchvision.models, builder_name, None) or getattr(torchvision.models.segmentation, builder_name)
        out[zoo_name] = keys_and_shapes(builder, kwargs)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
