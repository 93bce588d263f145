"""The training images in memory and their batches.

archc's Node side decodes the image folder once, at the model's input size, and hands the worker
8-bit pixels (count x height x width x channels, the order tfjs uses) plus the labels and the
validation split; for segmentation also the masks (count x height x width class indices, 255 where
unlabelled). Batches are gathered from that tensor, scaled to [0, 1], augmented as a whole batch
and normalized, the same steps as runtime/data/batch.ts, runtime/data/augment.ts and
runtime/data/seg-batch.ts: a mask moves with its image's flip, rotation and shift (nearest
neighbour, so class indices are never blended) and is untouched by brightness, contrast and noise.
"""

import math
import os

import numpy as np
import torch
import torch.nn.functional as F


class ImageSet:
    """8-bit NHWC pixels, int64 labels and the train/validation indices, all on `device`."""

    def __init__(self, folder, spec, device):
        height, width, channels = spec["shape"]
        pixels = np.fromfile(os.path.join(folder, spec["pixels"]), dtype=np.uint8)
        self.pixels = torch.from_numpy(pixels.reshape(spec["count"], height, width, channels)).to(device)
        self.labels = _int_file(folder, spec["labels"]).to(device)
        self.train = _int_file(folder, spec["train"])
        self.val = _int_file(folder, spec["val"])
        self.masks = None
        if spec.get("masks"):
            masks = np.fromfile(os.path.join(folder, spec["masks"]), dtype=np.uint8)
            self.masks = torch.from_numpy(masks.reshape(spec["count"], height, width)).to(device)

    def batch(self, indices, normalize, augment=None, generator=None):
        """Images `indices` as normalized NCHW floats (channels_last in memory), and their labels
        (segmentation: their masks, [N, H, W] int64)."""
        indices = indices.to(self.pixels.device)
        # NHWC bytes seen as NCHW: the permuted view is channels_last, which CUDA convolutions
        # like; the CPU's convolutions want plain NCHW (the copy is cheap beside a step).
        x = self.pixels[indices].permute(0, 3, 1, 2)
        if x.device.type == "cpu":
            x = x.contiguous()
        x = x.float().div_(255)
        masks = self.masks[indices] if self.masks is not None else None
        if augment:
            x, masks = augment_batch(x, augment, generator, masks)
        mean = torch.tensor(_per_channel(normalize["mean"], x.shape[1]), device=x.device)
        std = torch.tensor(_per_channel(normalize["std"], x.shape[1]), device=x.device)
        x = (x - mean.view(1, -1, 1, 1)) / std.view(1, -1, 1, 1)
        return x, (masks.long() if masks is not None else self.labels[indices])


def _int_file(folder, name):
    return torch.from_numpy(np.fromfile(os.path.join(folder, name), dtype=np.int32).astype(np.int64))


def _per_channel(values, channels):
    """A single value applies to every channel, as in runtime/data/batch.ts."""
    return [values[c] if c < len(values) else values[0] for c in range(channels)]


def augment_batch(x, augment, generator, masks=None):
    """Flip, rotate and shift (one resample), then brightness, contrast and noise, per image.

    `x` is [N, C, H, W] in [0, 1]; `masks` ([N, H, W] class indices, or None) follow the flip,
    rotation and shift. The random draws come from `generator` on the CPU, so a seed repeats a run
    whatever the device. Returns (x, masks).
    """
    n = x.shape[0]

    def uniform(low, high):
        return (torch.rand(n, generator=generator) * (high - low) + low).to(x.device)

    flip = torch.rand(n, generator=generator) < 0.5 if augment.get("flip") else None
    rotate = augment.get("rotate") or 0
    crop = augment.get("crop") or 0
    if rotate:
        angle = uniform(-rotate, rotate) * math.pi / 180
        shift = _shifts(n, crop, generator).to(x.device)
        flips = flip.to(x.device) if flip is not None else None
        if masks is not None:
            moved = _warp(masks.unsqueeze(1).float(), flips, angle, shift, mode="nearest")
            masks = moved.squeeze(1).round().to(masks.dtype)
        x = _warp(x, flips, angle, shift)
    elif crop or flip is not None:
        shifts = _shifts(n, crop, generator)
        if masks is not None:
            masks = _shift_and_flip(masks.unsqueeze(1), shifts, flip).squeeze(1)
        x = _shift_and_flip(x, shifts, flip)
    if augment.get("brightness"):
        b = augment["brightness"]
        x = (x * uniform(1 - b, 1 + b).view(-1, 1, 1, 1)).clamp_(0, 1)
    if augment.get("contrast"):
        c = augment["contrast"]
        centre = x.mean(dim=(1, 2, 3), keepdim=True)
        x = ((x - centre) * uniform(1 - c, 1 + c).view(-1, 1, 1, 1) + centre).clamp_(0, 1)
    if augment.get("noise"):
        noise = torch.randn(x.shape, generator=generator).to(x.device)
        x = (x + augment["noise"] * noise).clamp_(0, 1)
    return x, masks


def _shifts(n, crop, generator):
    """Whole-pixel shifts (dx, dy) in [-crop, crop] per image."""
    if not crop:
        return torch.zeros(n, 2, dtype=torch.long)
    return torch.randint(-crop, crop + 1, (n, 2), generator=generator)


def _shift_and_flip(x, shift, flip):
    """CIFAR's pad-and-crop with reflected borders, and mirroring, as one gather per image row.

    Output pixel (y, x) of an image shifted by (dx, dy) reads source (y - dy, x - dx), reflected
    into the image without repeating the edge (numpy's 'reflect'), like runtime/data/augment.ts.
    """
    n, _, h, w = x.shape
    cols = torch.arange(w).view(1, w) - shift[:, 0:1]
    rows = torch.arange(h).view(1, h) - shift[:, 1:2]
    cols, rows = _reflect(cols, w), _reflect(rows, h)
    if flip is not None:
        cols = torch.where(flip.view(n, 1), w - 1 - cols, cols)
    device = x.device
    index = (rows.view(n, h, 1) * w + cols.view(n, 1, w)).view(n, 1, h * w).to(device)
    flat = x.reshape(n, x.shape[1], h * w)
    out = torch.gather(flat, 2, index.expand(-1, x.shape[1], -1)).view(n, x.shape[1], h, w)
    return out.contiguous(memory_format=torch.channels_last)


def _reflect(i, size):
    if size == 1:
        return torch.zeros_like(i)
    period = 2 * (size - 1)
    m = torch.remainder(i, period)
    return torch.where(m < size, m, period - m)


def _warp(x, flip, angle, shift, mode="bilinear"):
    """Rotation about the centre (counter-clockwise as seen), shift and flip, bilinear, reflected.

    affine_grid works in [-1, 1] coordinates with align_corners=True, where pixel centres sit at
    the ends, so the inverse map is the pixel-space one of augment.ts scaled per axis.
    """
    n, _, h, w = x.shape
    cos, sin = torch.cos(angle), torch.sin(angle)
    sx, sy = (w - 1) / 2 or 1, (h - 1) / 2 or 1
    mirror = torch.where(flip, -1.0, 1.0) if flip is not None else torch.ones(n, device=x.device)
    dx = shift[:, 0].float() / sx
    dy = shift[:, 1].float() / sy
    # Source = F(R(target - shift)), with R mixing axes of different scales and F the mirror.
    theta = torch.zeros(n, 2, 3, device=x.device)
    theta[:, 0, 0] = mirror * cos
    theta[:, 0, 1] = mirror * -sin * sy / sx
    theta[:, 0, 2] = mirror * (-cos * dx + sin * dy * sy / sx)
    theta[:, 1, 0] = sin * sx / sy
    theta[:, 1, 1] = cos
    theta[:, 1, 2] = -sin * dx * sx / sy - cos * dy
    grid = F.affine_grid(theta, list(x.shape), align_corners=True)
    return F.grid_sample(x, grid, mode=mode, padding_mode="reflection", align_corners=True)
