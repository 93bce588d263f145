"""Checks modules written by `archc export --format pytorch` against archc's ONNX export.

A worker for tests/external/pytorch-*.test.ts: reads one JSON request per line on stdin and
answers one JSON line on stdout, so that one Python process (one torch import) serves many models.

A request names the generated module (`module`, `class_name`), a safetensors file of archc's
weights, the ONNX export made with the same weights, and the counts archc reports. The worker
builds the model, loads the weights with the module's own loader (strict: every state_dict key is
one of archc's weight names and back), compares parameter and buffer counts, then runs both on the
same random batch in eval mode. The answer holds the counts and, per output, the largest
difference relative to the largest magnitude of onnxruntime's output.
Optional: "compile" also runs torch.compile, "onnx_export" torch.onnx.export and onnxruntime on
the result, "reference" a state dict file and a torchvision model to compare with instead.
"""
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


def check(request):
    module = load_module(request['module'], f"archc_{request['name']}")
    model = getattr(module, request['class_name'])()
    state = module.load_safetensors(request['weights'])
    model.load_state_dict(state, strict=True)
    model.eval()
    buffers = sum(b.numel() for name, b in model.named_buffers() if not name.endswith('num_batches_tracked'))
    answer = {
        'params': sum(p.numel() for p in model.parameters()),
        'buffers': buffers,
    }
    rng = np.random.default_rng(request.get('seed', 0))
    inputs = {name: rng.standard_normal([2, *shape]).astype(np.float32) for name, shape in request['inputs']}
    with torch.no_grad():
        outputs = model(*(torch.from_numpy(x) for x in inputs.values()))
    outputs = [o.numpy() for o in (outputs if isinstance(outputs, tuple) else (outputs,))]
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(request['onnx'], options, providers=['CPUExecutionProvider'])
    expected = session.run(None, inputs)
    answer['shapes'] = [list(o.shape) for o in outputs]
    answer['expected_shapes'] = [list(o.shape) for o in expected]
    answer['differences'] = [relative(o, e) for o, e in zip(outputs, expected)]
    if request.get('compile'):
        compiled = torch.compile(model)
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


if __name__ == '__main__':
    main()
