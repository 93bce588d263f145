"""Grad-CAM, saliency and integrated gradients computed with torch autograd on archc's generated
PyTorch module, for comparison with `archc explain` (tests/external/explain-torch.test.ts).

usage: python explain_check.py request.json  (prints one JSON object)

The request names the module file and class, the safetensors weights, the input x (NCHW, already
normalized, flattened) or a PNG with its normalization, the class k, Grad-CAM layers (module paths,
e.g. "c2" or "layer1.0.conv1"), and integrated gradients' baseline (NCHW, flattened) and steps.
Everything is float64 after loading, so torch's side adds no rounding of its own to compare against.
"""
import importlib.util
import json
import sys

import torch


def load_module(path, name, weights):
    spec = importlib.util.spec_from_file_location('archc_explained', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = getattr(module, name)()
    model.load_state_dict(module.load_safetensors(weights))
    return model.double().eval()


def image_input(path, mean, std, shape):
    """A PNG as archc predict feeds it when no resize is needed: /255, then (x - mean) / std per channel."""
    from PIL import Image  # only for this branch

    c, h, w = shape
    img = Image.open(path).convert('RGB' if c == 3 else 'L')
    assert img.size == (w, h), f'the test image must be {w}x{h}, not {img.size}'
    t = torch.tensor(list(img.getdata()), dtype=torch.float64).reshape(h, w, c).permute(2, 0, 1) / 255
    m = torch.tensor([mean[i] if i < len(mean) else mean[0] for i in range(c)], dtype=torch.float64)
    s = torch.tensor([std[i] if i < len(std) else std[0] for i in range(c)], dtype=torch.float64)
    return ((t - m[:, None, None]) / s[:, None, None]).unsqueeze(0)


def score_of(model, x, k):
    return model(x)[:, k]


def grad_cam(model, x, k, path):
    """Selvaraju et al.: alpha_c = mean of d score / d A_c over positions; map = relu(sum_c alpha_c A_c)."""
    captured = {}

    def hook(_module, _inputs, output):
        output.retain_grad()
        captured['a'] = output

    handle = model.get_submodule(path).register_forward_hook(hook)
    try:
        score = score_of(model, x, k).sum()
        score.backward()
    finally:
        handle.remove()
    a = captured['a'][0]
    g = captured['a'].grad[0]
    alpha = g.mean(dim=(1, 2))
    cam = torch.relu((alpha[:, None, None] * a).sum(0))
    return {'map': cam.flatten().tolist(), 'shape': list(cam.shape), 'weights': alpha.tolist()}


def input_gradient(model, x, k):
    x = x.clone().requires_grad_(True)
    score = score_of(model, x, k).sum()
    score.backward()
    return x.grad, score.item()


def integrated_gradients(model, x, baseline, k, steps):
    """Trapezoid rule over `steps` intervals of the straight path baseline -> x, as archc integrates."""
    total = torch.zeros_like(x)
    for i in range(steps + 1):
        point = baseline + (i / steps) * (x - baseline)
        g, _ = input_gradient(model, point, k)
        total += (0.5 if i in (0, steps) else 1.0) / steps * g
    attributions = (x - baseline) * total
    with torch.no_grad():
        difference = (score_of(model, x, k) - score_of(model, baseline, k)).item()
    return {'attributions': attributions.flatten().tolist(), 'difference': difference}


request = json.load(open(sys.argv[1]))
model = load_module(request['module'], request['class'], request['weights'])
shape = request['shape']
if 'image' in request:
    x = image_input(request['image'], request['mean'], request['std'], shape)
else:
    x = torch.tensor(request['x'], dtype=torch.float64).reshape(1, *shape)
k = request['k']
answer = {'x': x.flatten().tolist()}
with torch.no_grad():
    logits = model(x)[0]
answer['scores'] = logits.tolist()
gradient, answer['score'] = input_gradient(model, x, k)
answer['gradient'] = gradient.flatten().tolist()
answer['saliency'] = gradient[0].abs().amax(0).flatten().tolist()
answer['gradcam'] = {path: grad_cam(model, x, k, path) for path in request.get('layers', [])}
if 'baseline' in request:
    baseline = torch.tensor(request['baseline'], dtype=torch.float64).reshape(1, *shape)
    answer['ig'] = integrated_gradients(model, x, baseline, k, request['steps'])
print(json.dumps(answer))
