"""What the worker's loop needs to know about the task, as runtime/train/task.ts tells tfjs's loop:
the loss of the model's outputs and what "correct" counts (images for classification, labelled
pixels for segmentation, which also gives a pixel confusion matrix for the validation mIoU).
"""

import torch

from losses import compute_loss, predicted_classes
from seg_losses import mean_iou, pixel_confusion, pixel_hits, seg_loss


def outputs_of(y):
    """The model's outputs as a list, the main one first (dicts and tuples from several outputs)."""
    if isinstance(y, dict):
        return list(y.values())
    if isinstance(y, (tuple, list)):
        return list(y)
    return [y]


class Classification:
    def __init__(self, config):
        self.spec = config["loss"]
        self.output = config["output"]

    def loss(self, outputs, labels):
        return compute_loss(self.spec, self.output, outputs[0], labels)

    def hits(self, outputs, labels):
        """(correct, counted) on the main output."""
        return (predicted_classes(self.output, outputs[0]) == labels).sum(), labels.numel()

    def empty_confusion(self, device):
        return None


class Segmentation:
    def __init__(self, config, classes):
        self.spec = config["loss"]
        self.output = config["output"]
        self.classes = classes

    def loss(self, outputs, masks):
        return seg_loss(self.spec, self.output, outputs, masks)

    def hits(self, outputs, masks):
        return pixel_hits(outputs[0], masks)

    def empty_confusion(self, device):
        return torch.zeros(self.classes, self.classes, dtype=torch.float64, device=device)

    def confusion(self, outputs, masks):
        return pixel_confusion(outputs[0], masks, self.classes)


def make_task(job):
    if job["train"].get("task") == "segmentation":
        return Segmentation(job["train"], job["data"]["classes"])
    return Classification(job["train"])


__all__ = ["Classification", "Segmentation", "make_task", "mean_iou", "outputs_of"]
