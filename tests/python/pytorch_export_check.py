"""Checks modules written by `archc export --format pytorch` against archc's ONNX export.

A worker for tests/external/pytorch-*.test.ts: reads one JSON request per line on stdin and
answers one JSON line on stdout, so that one Python process (one torch import) serves many models.

A request names the generated module (`module`, `class_name`), a safetensors file of archc's
weights, the ONNX export made with the same weights, and the counts archc reports. The worker
builds the model, loads the weights with the module's own loader (strict: every state_dict key is
one of archc's weight names and back), compares parameter and buffer counts, then runs both on the
same random batch in eval mode. The answer holds the counts and, per output, the largest
difference relative to the largest magnitude of onnxruntime's output.
Optional: "compile" also runs torch.compile (fullgraph), "onnx_export" torch.onnx.export and onnxruntime on
the result; "torchvision" names a torchvision builder whose model (random weights and batch-norm
statistics, saved to `weights` as safetensors) is the reference instead of onnxruntime.
"""
import gc
import importlib.util
import json
import os
import sys
import traceback

import numpy as np
import onnxruntime as ort
import torch

torch.set_num_threads(int(os.environ.get('ARCHC_TORCH_THREADS', '1')))


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def relative(ours, theirs):
    scale = float(np.abs(theirs).max()) or 1.0
    return float(np.abs(ours - theirs).max()) / scale


def torchvision_reference(builder, weights, inputs):
    """torchvision's model with random weights and batch-norm statistics, saved as safetensors."""
    sys.path.insert(0, os.path.dirname(__file__))
    from safetensors.torch import save_file
    from torchvision_cpu import import_torchvision

    torch.manual_seed(5)
    reference = getattr(import_torchvision().models, builder)()
    with torch.no_grad():
        for name, tensor in reference.state_dict().items():
            if name.endswith('running_var'):
                tensor.uniform_(0.5, 1.5)
            elif name.endswith('running_mean') or (name.endswith('bias') and tensor.is_floating_point()):
                tensor.uniform_(-0.1, 0.1)
            elif tensor.is_floating_point() and tensor.dim() == 1:
                tensor.uniform_(0.5, 1.5)
    reference.eval()
    save_file({k: v.contiguous() for k, v in reference.state_dict().items()}, weights)
    with torch.no_grad():
        return reference(*(torch.from_numpy(x) for x in inputs.values())).numpy()


def check(request):
    module = load_module(request['module'], f"archc_{request['name']}")
    model = getattr(module, request['class_name'])()
    rng = np.random.default_rng(request.get('seed', 0))
    inputs = {name: rng.standard_normal([2, *shape]).astype(np.float32) for name, shape in request['inputs']}
    if request.get('torchvision'):
        expected = torchvision_reference(request['torchvision'], request['weights'], inputs)
        model.load_state_dict(module.load_safetensors(request['weights']), strict=True)
        model.eval()
        with torch.no_grad():
            ours = model(*(torch.from_numpy(x) for x in inputs.values())).numpy()
        return {'shapes': [list(ours.shape)], 'expected_shapes': [list(expected.shape)], 'differences': [relative(ours, expected)]}
    state = module.load_safetensors(request['weights'])
    model.load_state_dict(state, strict=True)
    model.eval()
    buffers = sum(b.numel() for name, b in model.named_buffers() if not name.endswith('num_batches_tracked'))
    answer = {
        'params': sum(p.numel() for p in model.parameters()),
        'buffers': buffers,
    }
    with torch.no_grad():
        outputs = model(*(torch.from_numpy(x) for x in inputs.values()))
    outputs = [o.numpy() for o in (outputs if isinstance(outputs, tuple) else (outputs,))]
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    # No constant folding of batch norm into convolutions: the reference computes the graph as written.
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(request['onnx'], options, providers=['CPUExecutionProvider'])
    expected = session.run(None, inputs)
    answer['shapes'] = [list(o.shape) for o in outputs]
    answer['expected_shapes'] = [list(o.shape) for o in expected]
    answer['differences'] = [relative(o, e) for o, e in zip(outputs, expected)]
    if request.get('compile'):
        # fullgraph: the whole forward must trace without a graph break. The backend is aot_eager by
        # default (Dynamo and AOTAutograd, no C++ code generation, which takes minutes on a loaded CPU);
        # ARCHC_TORCH_COMPILE_BACKEND=inductor runs the default backend.
        backend = os.environ.get('ARCHC_TORCH_COMPILE_BACKEND', 'aot_eager')
        compiled = torch.compile(model, fullgraph=True, backend=backend)
        with torch.no_grad():
            again = compiled(*(torch.from_numpy(x) for x in inputs.values()))
        again = [o.numpy() for o in (again if isinstance(again, tuple) else (again,))]
        answer['compile_differences'] = [relative(o, e) for o, e in zip(again, expected)]
    if request.get('onnx_export'):
        path = request['onnx_export']
        args = tuple(torch.from_numpy(x) for x in inputs.values())
        torch.onnx.export(model, args, path, input_names=list(inputs), dynamo=False)
        exported = ort.InferenceSession(path, options, providers=['CPUExecutionProvider']).run(None, inputs)
        answer['onnx_export_differences'] = [relative(o, e) for o, e in zip(exported, expected)]
    return answer


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            answer = check(request)
        except Exception as error:  # reported to the test, which shows it
            answer = {'error': f'{type(error).__name__}: {error}', 'trace': traceback.format_exc()[-3000:]}
        print(json.dumps(answer), flush=True)
        gc.collect()  # a VGG's weights are 0.5 GB three times over (file, model, session)


if __name__ == '__main__':
    main()
