"""PyTorch's side of bench/compare and bench/scaling: the same network, data, batch size, learning
rate and epochs as bench_train or `bpnn train`, tensors preloaded; prints one JSON line with the
samples/s of the timed epochs and the process's peak RSS.
Usage: torch_train.py NET IMAGES BATCH EPOCHS LR THREADS [LOSS] [options]
  by default, bench_train's loop: plain SGD in file order, every epoch timed, nothing else computed.
  --shuffle        `bpnn train`'s loop: a fresh torch.randperm each epoch, the batches gathered by
                   indexing (what a DataLoader with shuffle=True yields, without its per-sample
                   collation), the batch losses and accuracies summed for the epoch's log line;
                   epochs after the first are timed, as bench/compare reads bpnn's log.
  --momentum M, --schedule cosine, --test IMAGES: the rest of scripts/main.sh's job (SGD with
                   momentum, CosineAnnealingLR stepped per epoch, the test set evaluated after each
                   epoch in eval mode, batches of 256, as bpnn's --test).
  --samples N      train on the first N images only (bench/scaling's small-batch points).
NET is bpnn's compact form (784-128relu-10) or a network description in JSON (built as the
PyTorch interoperability tests build it, tests/pytorch/peer.py). Thread settings come from the environment too
(OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, OMP_WAIT_POLICY), so bench/compare can try several."""
import argparse
import gzip
import json
import pathlib
import re
import resource
import struct
import sys
import time

import numpy as np
import torch


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    rank = raw[3]
    dims = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def read_images(path, shape):
    x = torch.tensor(read_idx(path).reshape([-1] + shape) / 255.0, dtype=torch.float32)
    return x, torch.tensor(read_idx(path.replace("images-idx3", "labels-idx1")), dtype=torch.int64)


def build(net):
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests" / "pytorch"))
    import peer  # the activations' torch.nn modules, from bpnn's registry

    if net.lstrip().startswith("{"):
        return peer.build(json.loads(net))
    items = net.split("-")
    features, layers = int(items[0]), []
    for item in items[1:]:
        units, activation = re.fullmatch(r"(\d+)([a-z_]*)", item).groups()
        layers.append(torch.nn.Linear(features, int(units)))
        features = int(units)
        if activation:
            layers.append(peer.activation({"type": activation}))
    return torch.nn.Sequential(*layers)


def evaluate(model, loss_fn, x, labels):
    """Loss and accuracy on a held-out set, in eval mode and batches of 256, as bpnn's evaluate."""
    model.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), 256):
            y = model(x[i:i + 256])
            loss_sum += float(loss_fn(y, labels[i:i + 256])) * len(y)
            correct += int((y.argmax(1) == labels[i:i + 256]).sum())
    model.train()
    return loss_sum / len(x), correct / len(x)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("net", "images", "batch", "epochs", "lr", "threads"):
        parser.add_argument(name)
    parser.add_argument("loss", nargs="?", default="cross_entropy")
    parser.add_argument("--shuffle", action="store_true")
    parser.add_argument("--momentum", type=float, default=0.0)
    parser.add_argument("--schedule", choices=["constant", "cosine"], default="constant")
    parser.add_argument("--test")
    parser.add_argument("--samples", type=int)
    a = parser.parse_args()
    if a.test and not (a.shuffle and a.loss == "cross_entropy"):
        parser.error("--test goes with --shuffle and the cross_entropy loss (the main job's)")
    torch.set_num_threads(int(a.threads))
    torch.manual_seed(1)
    shape = json.loads(a.net)["input"] if a.net.lstrip().startswith("{") else [784]
    x, labels = read_images(a.images, shape)
    if a.samples:
        x, labels = x[:a.samples], labels[:a.samples]
    model = build(a.net)
    if a.loss == "cross_entropy":
        loss_fn, targets = torch.nn.CrossEntropyLoss(), labels
    else:
        loss_fn, targets = torch.nn.MSELoss(), torch.nn.functional.one_hot(labels, 10).to(torch.float32)
    optimizer = torch.optim.SGD(model.parameters(), lr=float(a.lr), momentum=a.momentum)
    batch, epochs, n = int(a.batch), int(a.epochs), len(x)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs) if a.schedule == "cosine" else None
    test = read_images(a.test, shape) if a.test else None
    file_order = [(x[i:i + batch], targets[i:i + batch]) for i in range(0, n, batch)]
    seconds, log = 0.0, []
    for epoch in range(epochs):
        if a.shuffle:
            # bpnn draws the order before its epoch timer starts; the gathers are timed on both sides.
            order = torch.randperm(n)
            start = time.perf_counter()
            loss_sum, correct = 0.0, 0
            for i in range(0, n, batch):
                idx = order[i:i + batch]
                xb, tb = x[idx], targets[idx]
                optimizer.zero_grad()
                y = model(xb)
                loss = loss_fn(y, tb)
                loss.backward()
                optimizer.step()
                loss_sum += loss.item() * len(idx)
                correct += int((y.argmax(1) == labels[idx]).sum())
            log.append((loss_sum / n, correct / n))
        else:
            start = time.perf_counter()
            for xb, tb in file_order:
                optimizer.zero_grad()
                loss = loss_fn(model(xb), tb)
                loss.backward()
                optimizer.step()
        if not a.shuffle or epoch > 0 or epochs == 1:
            seconds += time.perf_counter() - start
        if schedule:
            schedule.step()
        if test:
            log[-1] += evaluate(model, loss_fn, *test)
    timed = epochs if not a.shuffle or epochs == 1 else epochs - 1
    print(json.dumps({"samples_per_second": n * timed / seconds, "seconds": seconds,
                      "loss": log[-1][0] if log else float(loss), "log": log[-1] if log else [],
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
