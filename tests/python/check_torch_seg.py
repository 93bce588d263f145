"""The torch engine's segmentation losses and mask augmentation, for tests/external/torch-seg.test.ts.

usage: check_torch_seg.py ENGINE_FOLDER
Prints JSON: the losses of a fixed 1x2x2 two-class batch (the one tests/train/seg-losses.test.ts
works out by hand; pixel 3 unlabelled), the pixel hits and confusion matrix, and how often a
flipped, rotated and shifted mask still marks the bright pixels of its image.
"""

import json
import sys

import torch


def main():
    sys.path.insert(0, sys.argv[1])
    import data
    from seg_losses import pixel_confusion, pixel_hits, seg_loss

    # NCHW scores of pixels [2, 0], [0, 1], [0, 3], [1, 1].
    y = torch.tensor([[2.0, 0, 0, 1], [0, 1, 3, 1]]).view(1, 2, 2, 2)
    masks = torch.tensor([[[0, 1], [1, 255]]])
    spec = {"ignoreIndex": 255, "auxWeight": 0.5}
    losses = {
        "ce": seg_loss({**spec, "kind": "ce"}, "logits", [y], masks),
        "ce_weighted": seg_loss({**spec, "kind": "ce", "classWeights": [3, 1]}, "logits", [y], masks),
        "ce_softmax": seg_loss({**spec, "kind": "ce"}, "softmax", [y.softmax(1)], masks),
        "dice": seg_loss({**spec, "kind": "dice"}, "logits", [y], masks),
        "dice_ce": seg_loss({**spec, "kind": "dice-ce"}, "logits", [y], masks),
        "aux": seg_loss({**spec, "kind": "ce"}, "logits", [y, y], masks),
    }
    hits, counted = pixel_hits(y, masks)

    # Bright squares on a dark ground, masks marking them; augmented together.
    generator = torch.Generator().manual_seed(3)
    images = torch.zeros(4, 1, 24, 24)
    labels = torch.zeros(4, 24, 24, dtype=torch.uint8)
    for i in range(4):
        images[i, 0, 4 + i:14 + i, 6:18] = 1
        labels[i, 4 + i:14 + i, 6:18] = 1
    rotated, rotated_masks = data.augment_batch(images, {"flip": True, "rotate": 30, "crop": 3}, generator, labels)
    shifted, shifted_masks = data.augment_batch(images, {"flip": True, "crop": 3}, generator, labels)

    def agreement(x, m):
        return float(((x[:, 0] > 0.5) == (m == 1)).double().mean())

    print(json.dumps({
        "losses": {k: float(v) for k, v in losses.items()},
        "hits": [int(hits), int(counted)],
        "confusion": pixel_confusion(y, masks, 2).tolist(),
        "rotated_agreement": agreement(rotated, rotated_masks),
        "shifted_agreement": agreement(shifted, shifted_masks),
        "moved": bool((rotated_masks != labels).any()),
    }))


if __name__ == "__main__":
    main()
