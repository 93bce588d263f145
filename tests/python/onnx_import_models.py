"""Exports torchvision models to ONNX for `archc import`'s tests, and compares ONNX files.

  export OUT_DIR SPEC...   torch.onnx.export of each model with random weights, in eval mode, batch
                           axis dynamic; SPEC is NAME or NAME:EXPORTER:OPSET (torchscript,
                           folded: the TorchScript exporter's defaults, batch norm folded into
                           the convs, or dynamo, which needs onnxscript; default torchscript:17);
                           prints one JSON
                           line per model: file, learnable parameter count, input shape.
  compare A=B...           runs each pair of ONNX files in onnxruntime on the same random batch of
                           2; prints one JSON line per pair with the largest absolute difference.

Both work on many models in one process, so torch and onnxruntime load once.
"""
import json
import os
import sys
import warnings

warnings.filterwarnings("ignore")
sys.path.insert(0, os.path.dirname(__file__))

# Reduced input sizes keep the export and the comparison fast; each still exercises every layer.
SIZES = {"vit_b_16": 64, "vit_small": 32, "squeezenet1_1": 96, "googlenet": 96, "vgg11_bn": 224}
DEFAULT_SIZE = 96


def build(tv, name):
    import torch

    if name == "vit_small":
        # torchvision's VisionTransformer (the same nn.MultiheadAttention export as vit_b_16) at a
        # size that keeps the exporter and opset matrix fast: 2 layers, 4 heads, 64 features.
        model = tv.models.VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=4, hidden_dim=64, mlp_dim=128)
        return randomized(model.eval())
    kwargs = {}
    if name == "googlenet":
        kwargs = {"aux_logits": False, "init_weights": True}
    if name.startswith("vit"):
        kwargs = {"image_size": SIZES[name]}
    return randomized(getattr(tv.models, name)(weights=None, **kwargs).eval())


def randomized(model):
    import torch

    # Random weights everywhere, batch-norm statistics included, so that a mix-up of any two
    # tensors changes the outputs; running variances stay positive.
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for key, t in model.state_dict().items():
            if not t.is_floating_point():
                continue
            if key.endswith("running_var"):
                t.copy_(torch.rand(t.shape, generator=g) + 0.5)
            elif key.endswith(("running_mean", ".bias")):
                t.copy_(torch.randn(t.shape, generator=g) * 0.1)
            elif key.endswith(".weight") and t.dim() == 1:
                t.copy_(torch.rand(t.shape, generator=g) + 0.5)
            elif key.endswith(("class_token", "pos_embedding")):
                t.copy_(torch.randn(t.shape, generator=g) * 0.1)
    return model


def export(out_dir, specs):
    """Each spec is NAME or NAME:EXPORTER:OPSET (exporter torchscript or dynamo; default torchscript:17)."""
    import torch
    from torchvision_cpu import import_torchvision

    tv = import_torchvision()
    os.makedirs(out_dir, exist_ok=True)
    for spec in specs:
        name, exporter, opset = (spec.split(":") + ["torchscript", "17"])[:3]
        model = build(tv, name)
        size = SIZES.get(name, DEFAULT_SIZE)
        path = os.path.join(out_dir, f"{name}.{exporter}.{opset}.onnx")
        x = torch.randn(1, 3, size, size)
        if exporter == "dynamo":
            # A batch of 2: torch.export fixes a dimension whose example size is 1.
            x = torch.randn(2, 3, size, size)
            # torch.export traces the model; eval-mode batch norm stays BatchNormalization.
            torch.onnx.export(
                model, (x,), path, dynamo=True, opset_version=int(opset), external_data=False,
                input_names=["image"], output_names=["logits"],
                dynamic_shapes={"x": {0: torch.export.Dim("N")}}, verbose=False,
                # The default optimization folds batch norm into the convolutions (changing
                # the learnable count) and renames their weights.
                optimize=False,
            )
        elif exporter == "folded":
            # The TorchScript exporter's defaults, as most files out there are made: batch norm
            # folded into the convs, whose new weights get anonymous names (onnx::Conv_650).
            torch.onnx.export(
                model, x, path, dynamo=False, opset_version=int(opset),
                input_names=["image"], output_names=["logits"],
                dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}},
            )
        else:
            torch.onnx.export(
                model, x, path, dynamo=False, opset_version=int(opset),
                # PRESERVE keeps batch norm as BatchNormalization (EVAL would fold it into the conv
                # weights, changing the learnable count); the model itself is in eval mode.
                training=torch.onnx.TrainingMode.PRESERVE,
                input_names=["image"], output_names=["logits"],
                dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}},
            )
        params = sum(p.numel() for p in model.parameters())
        if exporter == "folded":
            # Folding changes the count: the file's float tensors are the weights.
            import numpy as np
            import onnx

            params = sum(int(np.prod(t.dims)) for t in onnx.load(path).graph.initializer if t.data_type == onnx.TensorProto.FLOAT and len(t.dims) > 0)
        print(json.dumps({"name": spec, "file": path, "params": params, "input": [3, size, size]}), flush=True)


def compare(pairs):
    import numpy as np
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    for pair in pairs:
        a, b = pair.split("=", 1)
        sa = ort.InferenceSession(a, options, providers=["CPUExecutionProvider"])
        sb = ort.InferenceSession(b, options, providers=["CPUExecutionProvider"])
        feeds_a, feeds_b = {}, {}
        rng = np.random.RandomState(0)
        for ia, ib in zip(sa.get_inputs(), sb.get_inputs()):
            shape = [2] + [int(d) for d in ia.shape[1:]]
            x = rng.randn(*shape).astype(np.float32)
            feeds_a[ia.name] = x
            feeds_b[ib.name] = x
        ya = sa.run(None, feeds_a)
        yb = sb.run(None, feeds_b)
        diff = max(float(np.abs(p - q).max()) for p, q in zip(ya, yb))
        scale = max(float(np.abs(p).max()) for p in ya)
        shapes = [list(p.shape) for p in ya], [list(q.shape) for q in yb]
        print(json.dumps({"pair": pair, "maxDiff": diff, "scale": scale, "shapes": shapes}), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "export":
        export(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "compare":
        compare(sys.argv[2:])
    else:
        sys.exit(f"unknown command {sys.argv[1]}")
