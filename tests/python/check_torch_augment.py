"""Check the torch engine's batched augmentations against runtime/data/augment.ts's formulas.

usage: check_torch_augment.py ENGINE_FOLDER
The reference below is augment.ts's warp written pixel by pixel (inverse map, bilinear, borders
reflected without repeating the edge); the engine's whole-batch versions must agree within 1e-5.
Prints one JSON object: the largest differences.
"""
import json
import math
import sys

import numpy as np
import torch


def reflect(i, n):
    if n == 1:
        return 0
    period = 2 * (n - 1)
    m = i % period
    return m if m < n else period - m


def warp_reference(src, flip, angle, dx, dy):
    """src: [C, H, W]; the same loop as augment.ts's warp()."""
    c, h, w = src.shape
    cx, cy = (w - 1) / 2, (h - 1) / 2
    cos, sin = math.cos(angle), math.sin(angle)
    out = np.zeros_like(src)
    for y in range(h):
        for x in range(w):
            ux, uy = x - dx - cx, y - dy - cy
            sx = cos * ux - sin * uy + cx
            sy = sin * ux + cos * uy + cy
            if flip:
                sx = w - 1 - sx
            x0, y0 = math.floor(sx), math.floor(sy)
            fx, fy = sx - x0, sy - y0
            xa, xb, ya, yb = reflect(x0, w), reflect(x0 + 1, w), reflect(y0, h), reflect(y0 + 1, h)
            top = src[:, ya, xa] * (1 - fx) + src[:, ya, xb] * fx
            bottom = src[:, yb, xa] * (1 - fx) + src[:, yb, xb] * fx
            out[:, y, x] = top * (1 - fy) + bottom * fy
    return out


def main():
    sys.path.insert(0, sys.argv[1])
    import data

    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.random((6, 3, 7, 9), dtype=np.float32))
    flips = torch.tensor([True, False, True, False, True, False])
    shifts = torch.tensor([[1, 0], [-2, 1], [0, -1], [3, 2], [0, 0], [-1, -3]])
    angles = torch.tensor([0.3, -0.5, 0.0, 1.2, -2.0, 0.1])

    def reference(rotate):
        return np.stack([
            warp_reference(x[i].numpy(), bool(flips[i]), float(angles[i]) if rotate else 0.0, int(shifts[i, 0]), int(shifts[i, 1]))
            for i in range(len(x))
        ])

    shifted = data._shift_and_flip(x, shifts, flips).numpy()
    warped = data._warp(x, flips, angles, shifts).numpy()
    print(json.dumps({
        "shift_and_flip": float(np.abs(shifted - reference(False)).max()),
        "warp": float(np.abs(warped - reference(True)).max()),
    }))


if __name__ == "__main__":
    main()
