"""Writes small ONNX graphs, by hand with onnx.helper, in the forms of ops that PyTorch's exporters
do not write for torchvision's classifiers: `archc import`'s tests import each and compare it with
the file in onnxruntime (onnx_import_models.py compare).

  build OUT_DIR   writes every case; prints one JSON line per case: name, file, learnable count.

Each graph starts from an image [N, 4, 8, 8] and a 3×3 convolution (so there are weights to
count), then the op in the form it has at that opset: Softmax before 13 (it flattened the axes from
`axis` on), Clip with only a lower bound, Pad and Resize with `axes` (18), Resize's scales and sizes
at 11, 13 and 19, ReduceMean/ReduceMax/ReduceSum with axes as inputs, Split into uneven pieces by
`num_outputs` (18).
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

C = 4


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def floats(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.float32), name)


def model(name, opset, nodes, inits, out_shape):
    """Conv(image) → `conv` first, then `nodes`, whose last output is `y`."""
    rng = np.random.RandomState(len(name))
    w = floats("conv.weight", rng.randn(C, 3, 3, 3) * 0.3)
    b = floats("conv.bias", rng.randn(C) * 0.1)
    conv = helper.make_node("Conv", ["image", "conv.weight", "conv.bias"], ["conv"], name="conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    graph = helper.make_graph(
        [conv, *nodes], name,
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", *out_shape])],
        [w, b, *inits],
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="onnx_opset_forms")
    m.ir_version = 8  # what onnxruntime reads for every opset here (onnx 1.2x writes a newer one)
    onnx.checker.check_model(m, full_check=True)
    return m, C * 3 * 9 + C


def cases():
    n = helper.make_node
    yield "softmax_11", *model("softmax_11", 11, [
        n("Flatten", ["conv"], ["flat"], axis=1),
        n("Softmax", ["flat"], ["y"], axis=1),
    ], [], [C * 64])
    yield "clip_min_11", *model("clip_min_11", 11, [n("Clip", ["conv", "zero"], ["y"])], [floats("zero", 0.0)], [C, 8, 8])
    yield "clip_relu6_12", *model("clip_relu6_12", 12, [n("Clip", ["conv", "zero", "six"], ["y"])], [floats("zero", 0.0), floats("six", 6.0)], [C, 8, 8])
    yield "pad_axes_18", *model("pad_axes_18", 18, [
        n("Pad", ["conv", "pads", "", "axes"], ["y"], mode="reflect"),
    ], [ints("pads", [1, 2, 1, 2]), ints("axes", [2, 3])], [C, 10, 12])
    for opset in (11, 13, 19):
        # PyTorch's nearest (asymmetric, floor) by scales; bilinear (pytorch_half_pixel) by sizes.
        roi = [floats("roi", [])] if opset < 13 else []
        yield f"resize_nearest_{opset}", *model(f"resize_nearest_{opset}", opset, [
            n("Resize", ["conv", "roi" if opset < 13 else "", "scales"], ["y"], mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor"),
        ], [*roi, floats("scales", [1, 1, 2, 2])], [C, 16, 16])
        yield f"resize_linear_{opset}", *model(f"resize_linear_{opset}", opset, [
            n("Resize", ["conv", "roi" if opset < 13 else "", "empty" if opset < 13 else "", "sizes"], ["y"], mode="linear", coordinate_transformation_mode="pytorch_half_pixel"),
        ], [*roi, *([floats("empty", [])] if opset < 13 else []), ints("sizes", [2, C, 12, 20])], [C, 12, 20])
    yield "resize_axes_18", *model("resize_axes_18", 18, [
        n("Resize", ["conv", "", "scales"], ["y"], mode="linear", coordinate_transformation_mode="half_pixel", axes=[2, 3]),
    ], [floats("scales", [2, 3])], [C, 16, 24])
    yield "reduce_mean_18", *model("reduce_mean_18", 18, [
        n("ReduceMean", ["conv", "axes"], ["y"], keepdims=0),
    ], [ints("axes", [1])], [8, 8])
    yield "reduce_max_18", *model("reduce_max_18", 18, [
        n("ReduceMax", ["conv", "axes"], ["y"], keepdims=1),
    ], [ints("axes", [-1])], [C, 8, 1])
    yield "reduce_sum_13", *model("reduce_sum_13", 13, [
        n("ReduceSum", ["conv", "axes"], ["y"], keepdims=1),
    ], [ints("axes", [1])], [1, 8, 8])
    yield "split_uneven_18", *model("split_uneven_18", 18, [
        n("Split", ["conv"], ["a", "b", "c"], axis=2, num_outputs=3),
        n("Concat", ["c", "a", "b"], ["y"], axis=2),
    ], [], [C, 8, 8])
    yield "split_sizes_13", *model("split_sizes_13", 13, [
        n("Split", ["conv", "sizes"], ["a", "b"], axis=1),
        n("Concat", ["b", "a"], ["y"], axis=1),
    ], [ints("sizes", [1, 3])], [C, 8, 8])


def build(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for name, m, params in cases():
        path = os.path.join(out_dir, f"{name}.onnx")
        onnx.save(m, path)
        print(json.dumps({"name": name, "file": path, "params": params}), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(sys.argv[2])
    else:
        sys.exit(f"unknown command {sys.argv[1]}")
