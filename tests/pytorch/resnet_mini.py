"""The PyTorch twin of resnet-mini, built from torchvision's BasicBlock.

Optional: never needed to build, run or test the project (Debian's python3-torch
and python3-torchvision). It loads a gradcam checkpoint with the NumPy reader of
docs/checkpoint-format.md into the twin with load_state_dict(strict=True), and
reports the twin's Fashion-MNIST test accuracy in evaluation mode, which must be
the checkpoint's own (its metadata key test_accuracy, written by gradcam train):

    python3 tests/pytorch/resnet_mini.py build/resnet.ckpt
"""
import gzip
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from torchvision.models.resnet import BasicBlock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from read_gcam_checkpoint import read_checkpoint  # noqa: E402

FASHION = "/usr/share/datasets/fashion-mnist"


def stage(inplanes, planes, stride):
    """One BasicBlock; a 1x1 convolution with batch norm on the shortcut when the shape changes."""
    downsample = None
    if stride != 1 or inplanes != planes:
        downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
    return nn.Sequential(BasicBlock(inplanes, planes, stride, downsample))


class ResNetMini(nn.Module):
    """torchvision's ResNet layout without the max-pool, one block per stage, widths 16, 32, 64."""

    def __init__(self, channels=1, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = stage(16, 16, 1)
        self.layer2 = stage(16, 32, 2)
        self.layer3 = stage(32, 64, 2)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def fashion_test_set():
    """Images in [0, 1] as (N, 1, 28, 28) float32 (byte / 255, as gradcam reads them) and labels."""
    with gzip.open(f"{FASHION}/t10k-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(f"{FASHION}/t10k-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    return torch.from_numpy(images.astype(np.float32) / 255), torch.from_numpy(labels.astype(np.int64))


def main(path):
    ckpt = read_checkpoint(path)
    if ckpt["architecture"] != "resnet-mini":
        sys.exit(f"{path}: a {ckpt['architecture']} checkpoint, not resnet-mini")
    model = ResNetMini(ckpt["input_shape"][0], ckpt["classes"])
    state = {name: torch.from_numpy(value) for name, value in ckpt["tensors"].items()}
    # strict: every name and shape must match. num_batches_tracked, PyTorch's own step counter
    # (unused with a fixed momentum), is not saved; BatchNorm2d fills it in for a state_dict without it.
    print(f"{len(state)} tensors:", model.load_state_dict(state, strict=True))
    model.eval()
    images, labels = fashion_test_set()
    with torch.no_grad():
        predicted = torch.cat([model(images[i:i + 500]).argmax(1) for i in range(0, len(images), 500)])
    accuracy = (predicted == labels).double().mean().item()
    print(f"PyTorch twin: test accuracy {100 * accuracy:.2f}%; gradcam train reported "
          f"{100 * float(ckpt['metadata'].get('test_accuracy', 'nan')):.2f}%")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/resnet.ckpt")
