"""Segmentation losses and pixel counts, computed as runtime/train/seg-losses.ts computes them.

Scores are [N, K, H, W], masks [N, H, W] class indices with IGNORE (255) where unlabelled.
- ce: F.cross_entropy with class weights and ignore_index (the weighted mean over labelled pixels);
- dice: 1 - the mean over the classes present in the batch's masks of the soft Dice coefficient
  2*sum(p*t) / (sum(p) + sum(t)) over the batch's labelled pixels (Milletari et al. 2016);
- dice-ce: their sum.
Auxiliary score outputs (fcn_resnet50's aux head) add aux_weight times their loss, as
torchvision's segmentation references do with 0.5.
"""

import torch
import torch.nn.functional as F

IGNORE = 255
EPSILON = 1e-7


def seg_loss(spec, output, outputs, masks):
    total = _one_loss(spec, output, outputs[0], masks)
    for aux in outputs[1:]:
        total = total + spec.get("auxWeight", 0.5) * _one_loss(spec, output, aux, masks)
    return total


def _one_loss(spec, output, y, masks):
    kind = spec["kind"]
    weights = spec.get("classWeights")
    w = torch.tensor(weights, device=y.device, dtype=y.dtype) if weights else None
    loss = 0
    if kind in ("ce", "dice-ce"):
        if output == "softmax":
            loss = F.nll_loss(y.clamp(EPSILON, 1).log(), masks, weight=w, ignore_index=IGNORE)
        else:
            loss = F.cross_entropy(y, masks, weight=w, ignore_index=IGNORE)
        # A batch with no labelled pixel gives 0/0; count it as no loss, as the tfjs engine does.
        loss = torch.nan_to_num(loss, nan=0.0)
    if kind in ("dice", "dice-ce"):
        k = y.shape[1]
        valid = (masks != IGNORE).unsqueeze(1).to(y.dtype)
        truth = F.one_hot(torch.where(masks == IGNORE, 0, masks), k).permute(0, 3, 1, 2).to(y.dtype) * valid
        p = (y if output == "softmax" else y.softmax(dim=1)) * valid
        dims = (0, 2, 3)
        intersection = (p * truth).sum(dims)
        sums = p.sum(dims) + truth.sum(dims)
        present = (truth.sum(dims) > 0).to(y.dtype)
        coefficient = 2 * intersection / sums.clamp_min(EPSILON)
        loss = loss + 1 - (coefficient * present).sum() / present.sum().clamp_min(1)
    return loss


def pixel_hits(y, masks):
    """(correct labelled pixels, labelled pixels) of the main output."""
    valid = masks != IGNORE
    return ((y.argmax(dim=1) == masks) & valid).sum(), valid.sum()


def pixel_confusion(y, masks, k):
    """confusion[true][predicted] over the labelled pixels, [K, K] int64."""
    valid = masks != IGNORE
    index = masks[valid] * k + y.argmax(dim=1)[valid]
    return torch.bincount(index, minlength=k * k).view(k, k)


def mean_iou(confusion):
    """The mean IoU of the classes in the truth or the prediction (runtime/train/seg-metrics.ts)."""
    confusion = confusion.double()
    tp = confusion.diag()
    union = confusion.sum(0) + confusion.sum(1) - tp
    defined = union > 0
    return float((tp[defined] / union[defined]).mean()) if defined.any() else 0.0
