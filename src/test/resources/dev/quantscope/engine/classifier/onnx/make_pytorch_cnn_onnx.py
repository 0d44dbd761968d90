#!/usr/bin/env python3
"""Writes the ONNX fixtures OnnxClassifierTest reads: small seeded PyTorch models exported by PyTorch's own exporter.

Made with torch 2.13.0+cpu and onnx 1.23.1 (the TorchScript exporter, dynamo=False, default opset, eval mode). The
weights are untrained (seeded initialisation): the test compares logits, not accuracy.

  cnn.onnx          Conv2d(1,4,3,p=1) ReLU MaxPool2d(2) Conv2d(4,8,3,p=1) ReLU MaxPool2d(2) Flatten Linear(392,16)
                    ReLU Linear(16,10), in an nn.Sequential, so parameters are named 0.weight, 3.bias, ...
  cnn.logits.json   PyTorch's logits for the first 8 Fashion-MNIST test images (pixels / 255) and their labels
  mlp-bn.onnx       MaxPool2d(4) Flatten Linear(49,16) BatchNorm1d(16) ReLU Linear(16,10) with named modules (pool,
                    fc1, bn1, out) and non-trivial running statistics; torch keeps a BatchNormalization after a Linear
                    as a node (the pooling keeps the file small)
  mlp-bn.logits.json  as cnn.logits.json for mlp-bn.onnx
  cnn-stride2.onnx  like cnn.onnx but the first convolution has stride 2, which QuantScope refuses
  cnn-bn-folded.onnx  Conv2d + BatchNorm2d: in eval mode the exporter folds the batch norm into the convolution and
                    names the folded weights onnx::Conv_N, which QuantScope refuses to guess at
  matmul.onnx       MaxPool2d(7), torch.flatten, x @ fc.weight.t() + fc.bias, ReLU, Linear(8,10), exported without
                    constant folding: Transpose(fc.weight), MatMul, Add (+ matmul.logits.json)
  matmul-folded.onnx  the same with constant folding: the MatMul reads a transposed copy named onnx::MatMul_N, refused
  view.onnx         MaxPool2d(4), x.view(x.size(0), -1), Linear(49,10): a Reshape by a constant (+ view.logits.json)
  sigmoid.onnx      the matmul model with a Sigmoid on the logits, an op QuantScope does not run

Run from this folder:  /tmp/torchvenv/bin/python make_pytorch_cnn_onnx.py [path/to/t10k-images-idx3-ubyte.gz]
(default: ../shared/data/fashion-mnist/ relative to the worktree root, eight levels up from here).
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, *[".."] * 8))
IMAGES = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "data", "fashion-mnist", "t10k-images-idx3-ubyte.gz")
LABELS = IMAGES.replace("images-idx3", "labels-idx1")


def first_images(n):
    with gzip.open(IMAGES, "rb") as f:
        data = f.read()
    assert int.from_bytes(data[0:4], "big") == 0x803, "not an IDX image file"
    rows, cols = int.from_bytes(data[8:12], "big"), int.from_bytes(data[12:16], "big")
    pixels = np.frombuffer(data, dtype=np.uint8, offset=16, count=n * rows * cols)
    with gzip.open(LABELS, "rb") as f:
        labels = list(f.read()[8:8 + n])
    return torch.tensor(pixels.reshape(n, 1, rows, cols) / 255.0, dtype=torch.float32), labels


def export(model, name, fold=True):
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), os.path.join(HERE, name), dynamo=False,
                      do_constant_folding=fold, input_names=["image"], output_names=["logits"])


def write_logits(model, name, images, labels):
    with torch.no_grad():
        logits = model(images)
    with open(os.path.join(HERE, name), "w") as f:
        json.dump({"torch": torch.__version__, "images": "first %d of t10k-images-idx3-ubyte.gz, pixels / 255" % len(labels),
                   "labels": labels, "logits": [[float(v) for v in row] for row in logits]}, f, indent=1)
        f.write("\n")


def cnn(stride=1):
    return nn.Sequential(nn.Conv2d(1, 4, 3, stride=stride, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(392 if stride == 1 else 72, 16), nn.ReLU(), nn.Linear(16, 10))


class MlpBn(nn.Module):
    def __init__(self):
        super().__init__()
        self.pool = nn.MaxPool2d(4)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(49, 16)
        self.bn1 = nn.BatchNorm1d(16)
        self.relu = nn.ReLU()
        self.out = nn.Linear(16, 10)

    def forward(self, x):
        return self.out(self.relu(self.bn1(self.fc1(self.flatten(self.pool(x))))))


class MatMul(nn.Module):
    def __init__(self, sigmoid=False):
        super().__init__()
        self.pool = nn.MaxPool2d(7)
        self.fc = nn.Linear(16, 8)
        self.out = nn.Linear(8, 10)
        self.sigmoid = sigmoid

    def forward(self, x):
        x = torch.flatten(self.pool(x), 1)
        x = self.out(torch.relu(x.matmul(self.fc.weight.t()) + self.fc.bias))
        return torch.sigmoid(x) if self.sigmoid else x


class View(nn.Module):
    def __init__(self):
        super().__init__()
        self.pool = nn.MaxPool2d(4)
        self.fc = nn.Linear(49, 10)

    def forward(self, x):
        x = self.pool(x)
        return self.fc(x.view(x.size(0), -1))


def main():
    images, labels = first_images(8)

    torch.manual_seed(1)
    model = cnn().eval()
    export(model, "cnn.onnx")
    write_logits(model, "cnn.logits.json", images, labels)

    torch.manual_seed(2)
    model = MlpBn()
    with torch.no_grad():
        model.bn1.running_mean.uniform_(-0.5, 0.5)
        model.bn1.running_var.uniform_(0.5, 2.0)
        model.bn1.weight.uniform_(0.5, 1.5)
        model.bn1.bias.uniform_(-0.2, 0.2)
    model.eval()
    export(model, "mlp-bn.onnx")
    write_logits(model, "mlp-bn.logits.json", images, labels)

    torch.manual_seed(3)
    export(cnn(stride=2), "cnn-stride2.onnx")

    torch.manual_seed(4)
    export(nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(7), nn.Flatten(),
                         nn.Linear(4 * 4 * 4, 10)), "cnn-bn-folded.onnx")

    torch.manual_seed(5)
    model = MatMul().eval()
    export(model, "matmul.onnx", fold=False)
    write_logits(model, "matmul.logits.json", images, labels)
    export(model, "matmul-folded.onnx")
    export(MatMul(sigmoid=True), "sigmoid.onnx", fold=False)

    torch.manual_seed(6)
    model = View().eval()
    export(model, "view.onnx")
    write_logits(model, "view.logits.json", images, labels)


if __name__ == "__main__":
    main()
