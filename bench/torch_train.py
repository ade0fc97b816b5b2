"""PyTorch's side of bench/compare: the same network, data, batch size, learning rate and epochs
as bench_train, plain SGD in file order, tensors preloaded, timed over the batch loop alone.
Usage: torch_train.py NET IMAGES BATCH EPOCHS LR THREADS [LOSS]; prints one JSON line.
NET is bpnn's compact form (784-128relu-10) or a network description in JSON (built as the
PyTorch interoperability tests build it, tests/pytorch/peer.py). Thread settings come from the environment too
(OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, OMP_WAIT_POLICY), so bench/compare can try several."""
import gzip
import json
import pathlib
import re
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


def build(net):
    if net.lstrip().startswith("{"):
        sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests" / "pytorch"))
        import peer
        return peer.build(json.loads(net))
    items = net.split("-")
    features, layers = int(items[0]), []
    for item in items[1:]:
        units, activation = re.fullmatch(r"(\d+)([a-z_]*)", item).groups()
        layers.append(torch.nn.Linear(features, int(units)))
        features = int(units)
        if activation:
            layers.append({"relu": torch.nn.ReLU(), "sigmoid": torch.nn.Sigmoid(), "tanh": torch.nn.Tanh()}[activation])
    return torch.nn.Sequential(*layers)


def main(net, images, batch, epochs, lr, threads, loss_name="cross_entropy"):
    torch.set_num_threads(int(threads))
    torch.manual_seed(1)
    shape = json.loads(net)["input"] if net.lstrip().startswith("{") else [784]
    x = torch.tensor(read_idx(images).reshape([-1] + shape) / 255.0, dtype=torch.float32)
    labels = torch.tensor(read_idx(images.replace("images-idx3", "labels-idx1")), dtype=torch.int64)
    model = build(net)
    if loss_name == "cross_entropy":
        loss_fn, targets = torch.nn.CrossEntropyLoss(), labels
    else:
        loss_fn, targets = torch.nn.MSELoss(), torch.nn.functional.one_hot(labels, 10).to(torch.float32)
    optimizer = torch.optim.SGD(model.parameters(), lr=float(lr))
    batch, epochs, n = int(batch), int(epochs), len(x)
    batches = [(x[i:i + batch], targets[i:i + batch]) for i in range(0, n, batch)]
    start = time.perf_counter()
    for _ in range(epochs):
        for xb, tb in batches:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), tb)
            loss.backward()
            optimizer.step()
    seconds = time.perf_counter() - start
    print(json.dumps({"samples_per_second": n * epochs / seconds, "seconds": seconds, "loss": float(loss)}))


if __name__ == "__main__":
    main(*sys.argv[1:])
