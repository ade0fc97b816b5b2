"""The PyTorch and Python side of tests/meaning/run.sh (Debian's python3-torch and python3-onnx, and the
build's bpnn module on PYTHONPATH). Each command writes files for bpnn's command line to read and
prints what it compares with:

  regression ONNX CSV PREDICTIONS OUTPUTS   an nn.Sequential regression of OUTPUTS values, trained
                                            briefly, exported to ONNX; its data as a CSV with a
                                            header (targets last); prints its MSE on that data
  softmax-cnn ONNX CSV PROBABILITIES        a CNN ending in nn.Softmax, exported; inputs-only CSV
  logits-mlp ONNX CSV PROBABILITIES         a classifier ending in nn.Linear (logits), exported;
                                            PROBABILITIES: the softmax of its logits
  old-file NET_JSON MODEL CSV PREDICTIONS   a model file written the old way (format, version and
                                            network only: no record of what the model is) and its
                                            outputs on random inputs
  xor DOC MODEL CSV PREDICTIONS             docs/python.md's XOR block, run as it stands, then
                                            net.save(MODEL); prints net.evaluate's mse loss
  model-format DOC MODEL X_CSV OUTPUTS PROBABILITIES
                                            docs/model-format.md's PyTorch block, run as it stands
                                            on MODEL (as digits.safetensors); writes the x it
                                            made (flattened, as CSV) and its outputs
  max-diff A.csv B.csv                      max abs difference of two CSVs with a header, every
                                            column but "predicted"
  serve                                     the above for every call read from stdin, in one process
"""
import contextlib
import json
import os
import re
import sys
import tempfile

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "pytorch"))
import peer  # noqa: E402
from serve import serve  # noqa: E402  (tests/support, on the path peer puts it on)

torch.set_num_threads(1)


def export(net, example, out):
    torch.onnx.export(net.eval(), example, out, opset_version=17, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})


def write_csv(path, values, header=None):
    np.savetxt(path, values, delimiter=",", fmt="%.9g", header=",".join(header) if header else "", comments="")


def regression(onnx_path, csv, predictions, outputs):
    k = int(outputs)
    torch.manual_seed(5)
    x = torch.randn(64, 3)
    y = torch.stack([x[:, 0] * x[:, 1] + torch.sin(2 * x[:, 2]), x.sum(1)][:k], dim=1)
    net = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.Tanh(), torch.nn.Linear(16, k))
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    for _ in range(200):
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(net(x), y).backward()
        optimizer.step()
    export(net, x[:2], onnx_path)
    targets = ["y1", "y2"][:k]
    write_csv(csv, torch.cat([x, y], dim=1).numpy(), ["a", "b", "c"] + targets)
    with torch.no_grad():
        p = net(x)
    write_csv(predictions, p.numpy(), targets)
    print(f"{torch.nn.functional.mse_loss(p, y).item():.9g}")


def softmax_cnn(onnx_path, csv, probabilities):
    torch.manual_seed(6)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(4 * 4 * 4, 10), torch.nn.Softmax(dim=1))
    with torch.no_grad():  # running statistics that are not the identity
        net[1].running_mean.uniform_(-0.2, 0.2)
        net[1].running_var.uniform_(0.5, 1.5)
    x = torch.rand(12, 1, 8, 8)
    export(net, x[:2], onnx_path)
    write_csv(csv, x.reshape(12, -1).numpy())
    with torch.no_grad():
        write_csv(probabilities, net(x).numpy(), [f"p_{k}" for k in range(10)])


def logits_mlp(onnx_path, csv, probabilities):
    torch.manual_seed(7)
    net = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 4))
    x = torch.randn(10, 5)
    export(net, x[:2], onnx_path)
    write_csv(csv, x.numpy())
    with torch.no_grad():
        write_csv(probabilities, torch.softmax(net(x), dim=1).numpy(), [f"p_{k}" for k in range(4)])


def old_file(network_json, model, csv, predictions):
    torch.manual_seed(8)
    network = json.loads(open(network_json).read())
    net = peer.build(network).eval()
    # As model files were written before they recorded what the model is.
    peer.write_safetensors(model, net.state_dict(),
                           {"format": "bpnn", "format_version": "1", "bpnn.network": json.dumps(network)})
    x = torch.randn(7, network["input"][0])
    write_csv(csv, x.numpy())
    with torch.no_grad():
        y = net(x)
    write_csv(predictions, y.numpy(), [f"v{k}" for k in range(y.shape[1])])


def code_block(doc, language, containing):
    """The first ```language block of doc that contains the text `containing`, as it stands."""
    blocks = re.findall(r"```" + language + r"[^\n]*\n(.*?)```", open(doc).read(), flags=re.S)
    found = [b for b in blocks if containing in b]
    if not found:
        raise SystemExit(f"{doc}: no {language} block holds {containing!r}")
    return found[0]


def xor(doc, model, csv, predictions):
    import bpnn
    namespace = {}
    with contextlib.redirect_stdout(open(os.devnull, "w")):  # it prints every weight, and the mazur demo
        exec(code_block(doc, "python", 'bpnn.Model("2-3sigmoid-1sigmoid"'), namespace)
    net, X, y = namespace["net"], namespace["X"], namespace["y"]
    assert isinstance(net, bpnn.Model)
    net.save(model)
    write_csv(csv, np.column_stack([X, y]), ["a", "b", "y"])
    p = net.predict(X).astype(np.float64)
    write_csv(predictions, np.column_stack([1 - p, p]), ["p_0", "p_1"])
    print(f"{net.evaluate(X, y.reshape(-1, 1), loss='mse')['loss']:.9g}")


def model_format(doc, model, x_csv, outputs_csv, probabilities_csv):
    block = code_block(doc, "python", "read_bpnn(")
    namespace = {}
    with tempfile.TemporaryDirectory() as folder:
        os.symlink(os.path.abspath(model), os.path.join(folder, "digits.safetensors"))
        before = os.getcwd()
        os.chdir(folder)
        try:
            exec(block, namespace)
        finally:
            os.chdir(before)
    x, outputs, probabilities = namespace["x"], namespace["outputs"], namespace["probabilities"]
    write_csv(x_csv, x.reshape(x.shape[0], -1).numpy())
    write_csv(outputs_csv, outputs.detach().numpy(), [f"output{k}" for k in range(outputs.shape[1])])
    write_csv(probabilities_csv, probabilities.detach().numpy(), [f"p_{k}" for k in range(outputs.shape[1])])
    tracked = namespace["state"]["1.num_batches_tracked"]
    print(f"num_batches_tracked {int(tracked)} ({tracked.dtype})")


def max_diff(a, b):
    def values(path):
        lines = open(path).read().splitlines()
        header = lines[0].split(",")
        keep = [i for i, name in enumerate(header) if name != "predicted"]
        return np.array([[float(row.split(",")[i]) for i in keep] for row in lines[1:]])
    va, vb = values(a), values(b)
    if va.shape != vb.shape:
        raise SystemExit(f"{a} holds {va.shape}, {b} holds {vb.shape}")
    print(f"{np.abs(va - vb).max():.3g}")


COMMANDS = {"regression": regression, "softmax-cnn": softmax_cnn, "logits-mlp": logits_mlp, "old-file": old_file,
            "xor": xor, "model-format": model_format, "max-diff": max_diff}

if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        serve(COMMANDS)
    else:
        COMMANDS[sys.argv[1]](*sys.argv[2:])
