#!/usr/bin/env python3
"""Training speed, QuantScope against PyTorch (CPU) on the same machine, models, data, batch size, optimizer and threads.

Trains the MLP fc:256,fc:128 and the CNN conv:32,pool,conv:64,pool,fc:128 on Fashion-MNIST with both, alternating
(QuantScope first in odd rounds, PyTorch first in even ones, so that neither always gets the cooler or quieter
machine), for several rounds, and prints the median training throughput of each and their ratio in one table.

Only training is timed: reading the IDX files, starting the JVM or Python and building the model are not. Each run
trains WARMUP + EPOCHS epochs and the throughput is over the last EPOCHS only, so the JVM's JIT compilation (and
PyTorch's one-off kernel selection) fall in the warm-up epoch of both. QuantScope's epoch times are its own
(`quantscope bench train --json`: each epoch's seconds, no validation, nothing saved).

See bench/README.md for the set-up (a venv with the CPU build of torch). The project's tests do not use this.
"""
import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TRAIN_DIR = Path("/usr/share/datasets/fashion-mnist")
MODELS = {
    "mlp": "fc:256,fc:128",
    "cnn": "conv:32,pool,conv:64,pool,fc:128",
}


def read_idx(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def load(images: Path, labels: Path, limit: int):
    img = read_idx(images)
    lab = read_idx(labels)
    n = min(int.from_bytes(img[4:8], "big"), limit)
    rows, cols = int.from_bytes(img[8:12], "big"), int.from_bytes(img[12:16], "big")
    x = torch.frombuffer(bytearray(img[16:16 + n * rows * cols]), dtype=torch.uint8)
    x = x.reshape(n, 1, rows, cols).float() / 255.0   # --scale 1/255, as QuantScope's default
    y = torch.frombuffer(bytearray(lab[8:8 + n]), dtype=torch.uint8).long()
    return x, y


def torch_model(spec: str) -> nn.Module:
    """The SPEC grammar's meaning in PyTorch modules: ReLU after fc and conv, 3×3 'same' convolutions, 2×2 pools,
    a Flatten before the first fc after a convolution, and the 10-class output layer."""
    layers, channels, size, flat, spatial = [], 1, 28, None, True
    for item in spec.split(","):
        kind, *args = item.split(":")
        if kind == "conv":
            out = int(args[0])
            k = int(args[1]) if len(args) > 1 else 3
            layers += [nn.Conv2d(channels, out, k, padding=k // 2), nn.ReLU()]
            channels = out
        elif kind == "pool":
            p = int(args[0]) if args else 2
            layers.append(nn.MaxPool2d(p))
            size //= p
        elif kind == "fc":
            if spatial:
                layers.append(nn.Flatten())
                flat, spatial = channels * size * size, False
            layers += [nn.Linear(flat, int(args[0])), nn.ReLU()]
            flat = int(args[0])
        else:
            raise SystemExit(f"bench: SPEC item {item!r} is not supported here")
    if spatial:
        layers.append(nn.Flatten())
        flat = channels * size * size
    layers.append(nn.Linear(flat, 10))
    return nn.Sequential(*layers)


def run_torch(spec, x, y, args):
    torch.manual_seed(args.seed)
    model = torch_model(spec)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    n = x.shape[0]
    times = []
    for epoch in range(args.warmup + args.epochs):
        start = time.perf_counter()
        order = torch.randperm(n)
        model.train()
        for i in range(0, n, args.batch):
            idx = order[i:i + args.batch]
            loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - start)
    return n * args.epochs / sum(times[args.warmup:])


def run_quantscope(spec, args):
    cmd = [str(args.quantscope), "bench", "train", "--arch", spec,
           "--images", str(args.images), "--labels", str(args.labels), "--limit", str(args.limit),
           "--epochs", str(args.warmup + args.epochs), "--batch", str(args.batch),
           "--optimizer", "adam", "--lr", str(args.lr), "--weight-decay", str(args.weight_decay),
           "--schedule", "constant", "--seed", str(args.seed), "--threads", str(args.threads), "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit("bench: quantscope bench train failed: " + done.stderr.strip() + "\n" + " ".join(cmd))
    report = json.loads(done.stdout)
    return report["images"] * args.epochs / sum(report["epoch_seconds"][args.warmup:])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--images", type=Path, default=TRAIN_DIR / "train-images-idx3-ubyte.gz")
    p.add_argument("--labels", type=Path, default=TRAIN_DIR / "train-labels-idx1-ubyte.gz")
    p.add_argument("--limit", type=int, default=60000, help="train on the first N images (default all 60,000)")
    p.add_argument("--models", default="mlp,cnn", help="mlp, cnn or both")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1, help="epochs trained before the timed ones")
    p.add_argument("--epochs", type=int, default=1, help="epochs timed per run")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--quantscope", type=Path, default=ROOT / "target" / "quantscope")
    p.add_argument("--pytorch-only", action="store_true", help="time PyTorch alone (no QuantScope build needed)")
    args = p.parse_args()

    busy = os.getloadavg()[0]
    if busy > os.cpu_count() - args.threads + 0.5:
        # PyTorch's OpenMP workers spin while they wait for each other; with the cores taken by other processes a
        # spinning worker holds a core its partner needs, and PyTorch's throughput collapses (seen here: the MLP at
        # 67 images/s under a load of 17 on 2 cores, against 44,000 on a quieter machine), far more than the JVM's.
        print(f"bench: warning: load average {busy:.1f} on {os.cpu_count()} cores; the ratio is only meaningful on an "
              f"otherwise idle machine", file=sys.stderr)
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    x, y = load(args.images, args.labels, args.limit)
    args.limit = x.shape[0]
    print(f"torch {torch.__version__}, {args.threads} threads, batch {args.batch}, AdamW lr {args.lr}, "
          f"{args.limit} images, {args.warmup} warm-up + {args.epochs} timed epoch(s), {args.rounds} rounds",
          file=sys.stderr)

    rows = []
    for name in args.models.split(","):
        spec = MODELS[name]
        qs, pt = [], []
        for r in range(args.rounds):
            order = ["quantscope", "pytorch"] if r % 2 == 0 else ["pytorch", "quantscope"]
            if args.pytorch_only:
                order = ["pytorch"]
            for who in order:
                if who == "quantscope":
                    qs.append(run_quantscope(spec, args))
                else:
                    pt.append(run_torch(spec, x, y, args))
                print(f"  {name} round {r + 1} {who}: {(qs if who == 'quantscope' else pt)[-1]:,.0f} images/s",
                      file=sys.stderr)
        rows.append((name, spec, statistics.median(qs) if qs else float("nan"), statistics.median(pt)))

    print(f"{'model':<5} {'spec':<34} {'QuantScope img/s':>17} {'PyTorch img/s':>14} {'QS/PT':>6}")
    for name, spec, q, t in rows:
        print(f"{name:<5} {spec:<34} {q:>17,.0f} {t:>14,.0f} {q / t:>6.2f}")


if __name__ == "__main__":
    main()
