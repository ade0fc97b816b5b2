"""PyTorch's side of the interoperability tests (Debian's python3-torch).

Each subcommand does one job and prints what the C++ side compares:
  make-data OUT.csv N FEATURES CLASSES SEED     a classification CSV (label first)
  init NET_JSON OUT.safetensors SEED            an nn.Sequential's initial weights, bpnn metadata included
  train NET_JSON INIT DATA.csv LOSS LR BATCH EPOCHS OUT.safetensors [OPTIMIZER_FLAGS [SCHEDULE]]
                                                a training loop in file order, as `bpnn train --no-shuffle`;
                                                OPTIMIZER_FLAGS: bpnn train's, as one word
                                                ("--optimizer rmsprop --alpha 0.9 --centered")
  compare A.safetensors B.safetensors           max abs difference of same-named tensors
  predict MODEL.safetensors DATA.csv OUT.csv    outputs of the model loaded with load_state_dict
  max-diff A.csv B.csv                          max abs difference of two predict CSVs' outputs
  make-regression TRAIN.csv TEST.csv SEED       a 2-target regression CSV with a header
  regression INIT TRAIN.csv TEST.csv LR BATCH EPOCHS  PyTorch's test MSE after Adam in file order
  fashion MODEL_INIT EPOCHS LR BATCH            test accuracy of 784-128relu-10 on Fashion-MNIST
  serve                                         the above for every call read from stdin, in one process
                                                (tests/support/serve.py, serve.sh)
safetensors is read and written by hand (a length, a JSON header, raw little-endian data), so no
package beyond torch and numpy is needed. The activations' torch.nn modules and the optimizers'
torch.optim classes come from bpnn's registry (`$BPNN registry --json`: BPNN is the bpnn program run.sh tests, build/bpnn when unset).
"""
import functools
import gzip
import json
import os
import struct
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from serve import serve  # noqa: E402

torch.set_num_threads(1)


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        dtype = {"F32": np.float32, "F64": np.float64, "I64": np.int64}[entry["dtype"]]
        array = np.frombuffer(data[begin:end], dtype=dtype).reshape(entry["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors, header.get("__metadata__", {})


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, tensor in tensors.items():
        integer = not tensor.is_floating_point()  # batch norm's num_batches_tracked
        blob = tensor.detach().to(torch.int64 if integer else torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "I64" if integer else "F32", "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


@functools.cache
def registry():
    """bpnn's registry, its activations and optimizers by name (torch's module or class of each)."""
    here = os.path.dirname(os.path.abspath(__file__))
    program = os.environ.get("BPNN") or os.path.join(here, "..", "..", "build", "bpnn")
    text = subprocess.run([program, "registry", "--json"], check=True, capture_output=True, text=True).stdout
    tables = json.loads(text)
    return {table: {row["name"]: row for row in tables[table]} for table in ("activations", "optimizers")}


def activation(layer):
    """The torch.nn module of a bpnn activation layer, with its option."""
    row = registry()["activations"][layer["type"]]
    option = row["option"]
    kwargs = {option["pytorch"]: layer.get(option["name"], option["default"])} if option else {}
    return getattr(torch.nn, row["pytorch"])(**kwargs)


def build(network):
    """The nn.Sequential matching a bpnn network description (same layer indices, so same names)."""
    layers, features = [], network["input"][0]  # features: the channels of images, until flatten
    images = len(network["input"]) == 3
    for layer in network["layers"]:
        kind = layer["type"]
        if kind == "batchnorm":
            norm = torch.nn.BatchNorm2d if images else torch.nn.BatchNorm1d
            layers.append(norm(features, eps=layer.get("eps", 1e-5), momentum=layer.get("momentum", 0.1),
                               affine=layer.get("affine", True)))
        elif kind == "dense":
            layers.append(torch.nn.Linear(features, layer["units"], bias=layer.get("bias", True)))
            features = layer["units"]
        elif kind == "conv2d":
            layers.append(torch.nn.Conv2d(features, layer["filters"], layer.get("kernel", 3), stride=layer.get("stride", 1),
                                          padding=layer.get("padding", 0), bias=layer.get("bias", True)))
            features = layer["filters"]
        elif kind in ("maxpool2d", "avgpool2d"):
            pool = torch.nn.MaxPool2d if kind == "maxpool2d" else torch.nn.AvgPool2d
            layers.append(pool(layer.get("kernel", 2), stride=layer.get("stride") or None))
        elif kind == "flatten":
            layers.append(torch.nn.Flatten())
            images = False
            shape = [1] + list(network["input"])
            probe = torch.nn.Sequential(*layers).eval()  # eval: batch norm's buffers stay as they are
            with torch.no_grad():
                features = probe(torch.zeros(shape)).shape[1]
            probe.train()
        elif kind == "softmax":
            layers.append(torch.nn.Softmax(dim=1))
        elif kind == "dropout":
            layers.append(torch.nn.Dropout(layer.get("p", 0.5)))
        else:
            layers.append(activation(layer))
    return torch.nn.Sequential(*layers)


def load_model(path):
    tensors, metadata = read_safetensors(path)
    model = build(json.loads(metadata["bpnn.network"]))
    model.load_state_dict({k: v.to(torch.float32) if v.is_floating_point() else v for k, v in tensors.items()})
    return model.eval()  # inference: dropout off, as bpnn's predict


def read_csv(path, shape=None):
    rows = np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=2)
    x = torch.tensor(rows[:, 1:], dtype=torch.float32)
    return (x.reshape([-1] + shape) if shape else x), torch.tensor(rows[:, 0], dtype=torch.int64)


def make_data(out, n, features, classes, seed):
    rng = np.random.default_rng(int(seed))
    x = rng.normal(size=(int(n), int(features)))
    w = rng.normal(size=(int(features), int(classes)))
    labels = np.argmax(x @ w + 0.5 * rng.normal(size=(int(n), int(classes))), axis=1)
    np.savetxt(out, np.column_stack([labels, x]), delimiter=",", fmt=["%d"] + ["%.6f"] * int(features))


def init(network_json, out, seed):
    torch.manual_seed(int(seed))
    network = json.loads(open(network_json).read())
    model = build(network)
    metadata = {"format": "bpnn", "format_version": "1", "bpnn.network": json.dumps(network)}
    write_safetensors(out, model.state_dict(), metadata)


def make_optimizer(flags, parameters, lr):
    """torch.optim's optimizer for bpnn train's optimizer flags ("--optimizer rmsprop --alpha 0.9
    --centered"; "" is plain SGD), through bpnn's registry: the row's torch.optim class, its options'
    defaults, and the flags given (--foo-bar is the option foo_bar; lr is given apart). torch.optim
    has no L1 term: bpnn's l1 option is returned apart, for sgd_train to add l1 sign(p) to each
    gradient before the step, as bpnn's optimizers do. Returns (optimizer, l1)."""
    words = flags.split()
    name = words[words.index("--optimizer") + 1] if "--optimizer" in words else "sgd"
    given = {}
    for k, word in enumerate(words):
        if word.startswith("--") and word != "--optimizer":
            takes_value = k + 1 < len(words) and not words[k + 1].startswith("--")
            given[word[2:].replace("-", "_")] = float(words[k + 1]) if takes_value else 1.0
    row = registry()["optimizers"][name]
    kwargs = {}
    for option in row["options"]:
        value = given.get(option["name"], option["default"])
        kwargs[option["name"]] = bool(value) if option["type"] == "flag" else value
    kwargs.pop("learning_rate")
    l1 = kwargs.pop("l1", 0.0)
    if "beta1" in kwargs:
        kwargs["betas"] = (kwargs.pop("beta1"), kwargs.pop("beta2"))
    return getattr(torch.optim, row["pytorch"])(parameters, lr=lr, **kwargs), l1


def make_scheduler(spec, optimizer, epochs):
    """None, "step:STEP:GAMMA" (StepLR) or "cosine" (CosineAnnealingLR over the epochs)."""
    if not spec:
        return None
    if spec == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    _, step, gamma = spec.split(":")
    return torch.optim.lr_scheduler.StepLR(optimizer, step_size=int(step), gamma=float(gamma))


def sgd_train(model, x, y, loss_name, lr, batch, epochs, optimizer_flags="", schedule=None):
    with torch.no_grad():
        classes = model.eval()(x[:1]).shape[1]  # eval: batch norm's buffers stay as they are
    model.train()
    optimizer, l1 = make_optimizer(optimizer_flags, model.parameters(), lr)
    scheduler = make_scheduler(schedule, optimizer, epochs)
    loss_fn = {"mse": torch.nn.MSELoss(), "cross_entropy": torch.nn.CrossEntropyLoss()}[loss_name]
    target = torch.nn.functional.one_hot(y, classes).to(torch.float32) if loss_name == "mse" else y
    for _ in range(epochs):
        for first in range(0, len(x), batch):
            optimizer.zero_grad()
            loss = loss_fn(model(x[first:first + batch]), target[first:first + batch])
            loss.backward()
            if l1:
                with torch.no_grad():
                    for p in model.parameters():
                        p.grad.add_(torch.sign(p), alpha=l1)
            optimizer.step()
        if scheduler:
            scheduler.step()


def train(network_json, init_path, data, loss_name, lr, batch, epochs, out, optimizer_flags="", schedule=None):
    model = load_model(init_path)
    x, y = read_csv(data, json.loads(open(network_json).read())["input"])
    sgd_train(model, x, y, loss_name, float(lr), int(batch), int(epochs), optimizer_flags, schedule)
    _, metadata = read_safetensors(init_path)
    write_safetensors(out, model.state_dict(), metadata)


def compare(a, b):
    ta, _ = read_safetensors(a)
    tb, _ = read_safetensors(b)
    assert sorted(ta) == sorted(tb), f"tensor names differ: {sorted(ta)} vs {sorted(tb)}"
    print(max(float((ta[k].double() - tb[k].double()).abs().max()) for k in ta))


def predict(model_path, data, out):
    model = load_model(model_path)
    _, metadata = read_safetensors(model_path)
    x, _ = read_csv(data, json.loads(metadata["bpnn.network"])["input"])
    with torch.no_grad():
        y = model(x)
    np.savetxt(out, y.numpy(), delimiter=",", fmt="%.9g")


def max_diff(a, b):
    pa = np.loadtxt(a, delimiter=",", skiprows=1, ndmin=2)[:, 1:]  # bpnn predict: header, class, outputs
    pb = np.loadtxt(b, delimiter=",", ndmin=2)
    print(float(np.abs(pa - pb).max()))


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    rank = raw[3]
    dims = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def fashion(init_path, epochs, lr, batch):
    root = "/usr/share/datasets/fashion-mnist/"
    x = torch.tensor(read_idx(root + "train-images-idx3-ubyte.gz").reshape(-1, 784) / 255.0, dtype=torch.float32)
    y = torch.tensor(read_idx(root + "train-labels-idx1-ubyte.gz"), dtype=torch.int64)
    xt = torch.tensor(read_idx(root + "t10k-images-idx3-ubyte.gz").reshape(-1, 784) / 255.0, dtype=torch.float32)
    yt = torch.tensor(read_idx(root + "t10k-labels-idx1-ubyte.gz"), dtype=torch.int64)
    model = load_model(init_path)
    sgd_train(model, x, y, "cross_entropy", float(lr), int(batch), int(epochs))
    model.eval()
    with torch.no_grad():
        print(float((model(xt).argmax(1) == yt).double().mean()))

def make_regression(out_train, out_test, seed):
    """Two real targets of three inputs, with a header: y1 = sin(3a) + b, y2 = a c - b^2, plus noise."""
    rng = np.random.default_rng(int(seed))
    for out, n in ((out_train, 400), (out_test, 200)):
        x = rng.uniform(-1, 1, size=(n, 3))
        y1 = np.sin(3 * x[:, 0]) + x[:, 1] + 0.05 * rng.normal(size=n)
        y2 = x[:, 0] * x[:, 2] - x[:, 1] ** 2 + 0.05 * rng.normal(size=n)
        np.savetxt(out, np.column_stack([x, y1, y2]), delimiter=",", fmt="%.6f", header="a,b,c,y1,y2", comments="")


def regression(init_path, train_csv, test_csv, lr, batch, epochs):
    """PyTorch's test MSE after Adam on the first three columns against the last two, file order."""
    model = load_model(init_path).train()
    train_rows = np.loadtxt(train_csv, delimiter=",", skiprows=1, dtype=np.float64)
    test_rows = np.loadtxt(test_csv, delimiter=",", skiprows=1, dtype=np.float64)
    x, y = (torch.tensor(train_rows[:, :3], dtype=torch.float32), torch.tensor(train_rows[:, 3:], dtype=torch.float32))
    optimizer = torch.optim.Adam(model.parameters(), lr=float(lr))
    loss_fn = torch.nn.MSELoss()
    for _ in range(int(epochs)):
        for first in range(0, len(x), int(batch)):
            optimizer.zero_grad()
            loss_fn(model(x[first:first + int(batch)]), y[first:first + int(batch)]).backward()
            optimizer.step()
    with torch.no_grad():
        prediction = model.eval()(torch.tensor(test_rows[:, :3], dtype=torch.float32))
    print(float(((prediction.double() - torch.tensor(test_rows[:, 3:])) ** 2).mean()))


COMMANDS = {"make-data": make_data, "init": init, "train": train, "compare": compare, "predict": predict,
            "max-diff": max_diff, "fashion": fashion, "make-regression": make_regression, "regression": regression}

if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        serve(COMMANDS)
    else:
        COMMANDS[sys.argv[1]](*sys.argv[2:])
