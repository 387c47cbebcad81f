"""Train the CNN from the project's source documents (with pooling) on Fashion-MNIST.

A plain PyTorch script: run it with `scripts/jtorch examples/fashion_mnist.py` (or with `python3` and real
PyTorch to compare). It reads the original IDX files itself; on Debian/Ubuntu they come from
`apt-get install dataset-fashion-mnist` (installed under /usr/share/datasets/fashion-mnist/).
"""
import argparse
import gzip
import os
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

DEFAULT_ROOT = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).long().reshape(shape)


def find(root, name):
    for candidate in (name, name + ".gz"):
        p = os.path.join(root, candidate)
        if os.path.exists(p):
            return p
    sys.exit(f"Fashion-MNIST file {name}[.gz] not found under {root}.\n"
             "Install the dataset with:  apt-get install dataset-fashion-mnist\n"
             "or pass --root DIR with the four IDX files (train/t10k images and labels).")


def load(root, split):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(find(root, f"{prefix}-images-idx3-ubyte")).float().div_(255.0)
    labels = read_idx(find(root, f"{prefix}-labels-idx1-ubyte"))
    images = (images - 0.2860) / 0.3530  # the training set's mean and std
    return images.unsqueeze(1), labels


class CNNModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=3)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3)
        self.fc1 = nn.Linear(64 * 5 * 5, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = F.max_pool2d(torch.relu(self.conv2(x)), 2)
        x = x.view(-1, 64 * 5 * 5)
        x = torch.relu(self.fc1(x))
        return self.fc2(x)


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(dim=1) == y).sum().item()
            total += y.numel()
    return correct / total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=DEFAULT_ROOT)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N training images (quick runs)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    t0 = time.time()
    x_train, y_train = load(args.root, "train")
    x_test, y_test = load(args.root, "test")
    if args.limit:
        x_train, y_train = x_train[:args.limit], y_train[:args.limit]
    print(f"loaded {len(x_train)} training and {len(x_test)} test images in {time.time() - t0:.1f} s")
    train = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size, shuffle=True)
    test = DataLoader(TensorDataset(x_test, y_test), batch_size=1000)

    model = CNNModel()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    for epoch in range(1, args.epochs + 1):
        model.train()
        start = time.time()
        running = 0.0
        for step, (x, y) in enumerate(train, 1):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            running += loss.item()
        train_time = time.time() - start
        acc = evaluate(model, test)
        print(f"epoch {epoch}: train loss {running / step:.4f}  test accuracy {acc:.4f}  "
              f"({train_time:.1f} s training, {train_time / step * 1000:.1f} ms/step)", flush=True)
    print(f"final test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
