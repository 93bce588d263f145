"""Losses and predicted classes, computed as runtime/train/losses.ts computes them.

Cross-entropy with label smoothing and class weights, binary cross-entropy and mean squared
error, each aware of whether the model ends in logits or in probabilities (a softmax or sigmoid
output node). Class weights give PyTorch's weighted mean, sum(w_i * l_i) / sum(w_i).
"""

import torch
import torch.nn.functional as F

EPSILON = 1e-7


def compute_loss(spec, output, y, labels):
    """The batch loss of scores `y` [N, K] against integer `labels` [N]."""
    units = y.shape[1]
    weights = spec.get("classWeights")
    if spec["kind"] == "ce" and output == "logits" and not weights and units > 1:
        # The same sum as below (smoothed targets times log-softmax), in one fused kernel.
        return F.cross_entropy(y, labels, label_smoothing=spec.get("smoothing", 0))
    if units == 1:
        targets = labels.float().view(-1, 1)
    else:
        targets = F.one_hot(labels, units).float()
    per_sample = _per_sample(spec, output, y, targets, units)
    if not weights:
        return per_sample.mean()
    w = torch.tensor(weights, device=y.device)[labels]
    return (per_sample * w).sum() / w.sum().clamp_min(EPSILON)


def _per_sample(spec, output, y, targets, units):
    kind = spec["kind"]
    smoothing = spec.get("smoothing", 0)
    if kind == "ce":
        t = _smooth(targets, smoothing, units)
        if output == "softmax":
            log_probs = y.clamp(EPSILON, 1).log()
        else:
            log_probs = F.log_softmax(y, dim=1)
        return -(t * log_probs).sum(dim=1)
    if kind == "bce":
        t = _smooth(targets, smoothing, 2)
        if output == "logits":
            # max(z, 0) - z*t + log(1 + exp(-|z|)): no overflow for large |z|.
            return (y.relu() - y * t + torch.log1p(torch.exp(-y.abs()))).mean(dim=1)
        p = y.clamp(EPSILON, 1 - EPSILON)
        return -(t * p.log() + (1 - t) * (1 - p).log()).mean(dim=1)
    if kind == "mse":
        return (y - targets).square().mean(dim=1)
    raise ValueError(f"unknown loss {kind!r}")


def _smooth(targets, epsilon, k):
    return targets * (1 - epsilon) + epsilon / k if epsilon > 0 else targets


def predicted_classes(output, y):
    """Argmax over K units; for one unit, logit > 0 or probability > 0.5."""
    if y.shape[1] != 1:
        return y.argmax(dim=1)
    threshold = 0 if output == "logits" else 0.5
    return (y.view(-1) > threshold).long()
