"""The Python side of the ONNX test (tests/onnx/run.sh), with Debian's python3-onnx and python3-torch.

  model NET_JSON OUT.safetensors SEED       a bpnn model file of the network (tests/pytorch/peer.py's
                                            nn.Sequential, batch norm statistics made non-trivial)
  data INPUT_SIZE N OUT.csv SEED            N random samples, a label column first (as bpnn predict reads)
  check FILE.onnx                           onnx.checker (full_check) and strict shape inference
  torch-export MODEL.safetensors OUT.onnx OPSET
                                            torch.onnx.export of the same nn.Sequential, batch dynamic
  max-diff A.csv B.csv                      max abs difference of two bpnn predict CSVs' outputs
  ort-diff BPNN.csv ORT.csv                 max abs difference of a bpnn predict CSV's outputs (its
                                            class column may hold names) and run.mjs's
  iris OUT.csv OUT_X.csv                    scikit-learn's copy of iris: with a header and the species
                                            named, and its inputs alone after a label column of 0s
  meaning FILE.onnx                         its metadata_props' class and feature names, its input
                                            scaling's kind and its graph outputs, one line
  serve                                     the above for every call read from stdin, in one process
                                            (tests/support/serve.py, serve.sh)
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pytorch"))
import peer  # noqa: E402
from serve import serve  # noqa: E402  (tests/support, on the path peer puts it on)

torch.set_num_threads(1)


def model(network_json, out, seed):
    torch.manual_seed(int(seed))
    network = json.loads(open(network_json).read())
    # step has no nn module and no tensors: an nn.Identity in its place keeps the layer indices.
    net = peer.build({**network, "layers": [l if l["type"] != "step" else {"type": "identity"} for l in network["layers"]]})
    with torch.no_grad():
        for m in net:
            if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.num_batches_tracked.fill_(7)
                if m.affine:
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.uniform_(-0.5, 0.5)
    metadata = {"format": "bpnn", "format_version": "1", "bpnn.network": json.dumps(network)}
    peer.write_safetensors(out, net.state_dict(), metadata)


def data(size, n, out, seed):
    rng = np.random.default_rng(int(seed))
    x = rng.normal(size=(int(n), int(size)))
    np.savetxt(out, np.column_stack([np.zeros(int(n)), x]), delimiter=",", fmt=["%d"] + ["%.6f"] * int(size))


def check(path):
    import onnx
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    onnx.shape_inference.infer_shapes(m, strict_mode=True)
    print(f"onnx checker and strict shape inference: ok (opset {m.opset_import[0].version}, {len(m.graph.node)} nodes)")


def torch_export(model_path, out, opset):
    net = peer.load_model(model_path)
    _, metadata = peer.read_safetensors(model_path)
    shape = json.loads(metadata["bpnn.network"])["input"]
    torch.onnx.export(net, torch.zeros([2] + shape), out, opset_version=int(opset), input_names=["input"],
                      output_names=["output"], dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})


def max_diff(a, b):
    pa, pb = (np.loadtxt(p, delimiter=",", skiprows=1, ndmin=2)[:, 1:] for p in (a, b))
    print(float(np.abs(pa - pb).max()))


def ort_diff(a, b):
    with open(a) as f:
        pa = np.array([[float(v) for v in line.split(",")[1:]] for line in f.read().split("\n")[1:] if line])
    pb = np.loadtxt(b, delimiter=",", ndmin=2)
    print(float(np.abs(pa - pb).max()))


def iris(out, out_x):
    import sklearn.datasets
    data = sklearn.datasets.load_iris()
    with open(out, "w") as f, open(out_x, "w") as x:
        f.write("sepal_length,sepal_width,petal_length,petal_width,species\n")
        for row, label in zip(data.data, data.target):
            f.write(",".join(f"{v:g}" for v in row) + f",{data.target_names[label]}\n")
            x.write("0," + ",".join(f"{v:g}" for v in row) + "\n")


def meaning(path):
    import onnx
    m = onnx.load(path)
    props = {p.key: p.value for p in m.metadata_props}
    recipe = json.loads(props["bpnn.data"])
    print(" ".join(recipe["class_names"]), "|", " ".join(recipe["feature_names"]), "|",
          props.get("bpnn.input_scaling", "none"), "|", " ".join(o.name for o in m.graph.output))


COMMANDS = {"model": model, "data": data, "check": check, "torch-export": torch_export, "max-diff": max_diff, "ort-diff": ort_diff, "iris": iris,
            "meaning": meaning}

if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        serve(COMMANDS)
    else:
        COMMANDS[sys.argv[1]](*sys.argv[2:])
