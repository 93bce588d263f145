"""T11 written by hand in PyTorch: the reference of `npm run bench`'s torch section.

The seed tutorial's CIFAR-10 network (zoo/tutorials/t11_cifar10_augmented.arch) as a plain
nn.Sequential, trained the way a hand-written loop trains it at its fastest: the images already
decoded and normalized in one float tensor, random mini-batches indexed from it, SGD with
momentum, cross-entropy, the loss read back every step. Prints {"imagesPerSecond": ...} for the
second epoch (the first warms up).

    python t11_pytorch.py --batch 64 --steps 60
"""

import argparse
import json
import time

import torch
import torch.nn.functional as F
from torch import nn


def t11(classes=10):
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 8 * 8, 128), nn.ReLU(), nn.Linear(128, classes),
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=60)
    args = parser.parse_args()
    torch.manual_seed(0)
    count = args.batch * args.steps
    images = (torch.randint(0, 256, (count, 3, 32, 32), dtype=torch.uint8).float() / 255 - 0.5) / 0.5
    labels = torch.randint(0, 10, (count,))
    model = t11()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    rate = 0.0
    for _ in range(2):
        order = torch.randperm(count)
        started = time.perf_counter()
        for step in range(args.steps):
            batch = order[step * args.batch:(step + 1) * args.batch]
            loss = F.cross_entropy(model(images[batch]), labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss.item()
        rate = count / (time.perf_counter() - started)
    print(json.dumps({"imagesPerSecond": rate, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
