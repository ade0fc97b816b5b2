#!/usr/bin/env python3
"""ONNX's own conformance cases through `bpnn import` and `bpnn predict`.

The cases are those of ONNX's backend test data (Debian's libonnx-testdata, ONNX 1.12) under node/
and pytorch-converted/ whose operators are all operators bpnn's import maps to a layer, and whose
graph has one input that is not an initializer (its weights are initializers). Each is imported;
an imported model predicts (--raw) on every test_data_set's input, which must give ONNX's expected
output (|bpnn - onnx| <= 1e-5 + 1e-4 |onnx|). A refusal must name the feature bpnn does not take
(one of REFUSALS below) and must not be for the opset alone. The counts, refusals grouped by
reason, must be the table in docs/onnx.md (between the conformance markers), so the two agree:
--update writes the table there.

Usage: conformance.py BPNN DOCS_MD [--update]. Exits 77 when the test data or onnx is missing.
"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

DATA = "/usr/share/libonnx-testdata/data"
SUITES = ("node", "pytorch-converted")
# The operators bpnn's import maps to a layer (docs/onnx.md, "What import accepts").
OPERATORS = {"Gemm", "MatMul", "Conv", "MaxPool", "AveragePool", "BatchNormalization", "Flatten", "Reshape", "Pad",
             "Dropout", "Softmax", "Sigmoid", "Tanh", "Relu", "LeakyRelu", "Identity", "Elu", "Softplus"}
# What a refusal may be for: (group, pattern the message must match). A refusal matching none of
# them fails the test (it does not say what bpnn lacks).
REFUSALS = [
    ("a 1-D or 3-D convolution or pooling", r"takes images \[N, C, H, W\]"),
    ("a grouped convolution", r"grouped convolution"),
    ("a dilated convolution or pooling", r"no dilation"),
    ("a kernel that is not square", r"square kernels|same kernel_shape on every side"),
    ("a convolution padded unevenly", r"conv2d pads the same on every side"),
    ("pooling with padding", r"pools without padding"),
    ("ceil_mode 1 with a partial window", r"ceil_mode 1 adds a partial window"),
    ("MaxPool's indices output", r"MaxPool's indices"),
    ("Pad that pads (a constant, reflection or edge)", r"takes Pad only when it pads nothing"),
    ("Gemm of a transposed input", r"transA 1"),
    ("Gemm's bias per row of a fixed batch", r"a bias per row"),
    ("MatMul of a sample that is not a vector", r"takes \[N, features\] in bpnn"),
    ("Softmax over part of a sample", r"softmax is over all of a sample's values|softmax over the batch"),
    ("Flatten that splits a sample", r"Flatten at axis"),
    ("Reshape across samples", r"across samples"),
    ("Reshape other than a flatten", r"Reshape only as a flatten"),
    ("batch norm of [N, C, L] or [N, C, D, H, W]", r"normalizes \[N, F\] or \[N, C, H, W\]"),
    ("Elu with alpha other than 1", r"Elu\(x, alpha=1\).*must have alpha"),
    ("training mode (Dropout, BatchNormalization)", r"training_mode must be|training-mode|is_test 0"),
    ("a second graph output", r"is a graph output|outputs; bpnn models have one"),
    ("an input that is not a float32 tensor", r"is not a float32 tensor|is not a tensor"),
    ("an empty tensor", r"empty dimension"),
]


def load(path):
    import onnx
    return onnx.load(path)


def tensor(path):
    import onnx
    from onnx import numpy_helper
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def data_sets(directory):
    return sorted(d for d in os.listdir(directory) if d.startswith("test_data_set"))


def cases(work):
    """(name, kind, [(model file, [(input, expected output), ...]), ...]) of every case of the suites
    whose operators bpnn has: kind "initializers" when its one graph input is the data, "inputs" when
    its other graph inputs are weights given as test data (each data set's made initializers of a
    model of its own)."""
    from onnx import numpy_helper
    for suite in SUITES:
        for case in sorted(os.listdir(os.path.join(DATA, suite))):
            directory = os.path.join(DATA, suite, case)
            path = os.path.join(directory, "model.onnx")
            m = load(path)
            if not {n.op_type for n in m.graph.node} <= OPERATORS:
                continue
            constants = {i.name for i in m.graph.initializer}
            inputs = [i.name for i in m.graph.input if i.name not in constants]
            sets = [os.path.join(directory, d) for d in data_sets(directory)]
            if len(inputs) == 1:
                samples = [(os.path.join(at, "input_0.pb"), os.path.join(at, "output_0.pb")) for at in sets]
                yield f"{suite}/{case}", "initializers", [(path, samples)]
                continue
            models = []
            for k, at in enumerate(sets):
                weights = load(path)
                for j, name in enumerate(inputs[1:], 1):
                    weights.graph.initializer.append(numpy_helper.from_array(tensor(os.path.join(at, f"input_{j}.pb")), name))
                made = os.path.join(work, f"{suite}-{case}-{k}.onnx")
                with open(made, "wb") as f:
                    f.write(weights.SerializeToString())
                models.append((made, [(os.path.join(at, "input_0.pb"), os.path.join(at, "output_0.pb"))]))
            yield f"{suite}/{case}", "inputs", models


def sample_shape(model_file):
    """The per-sample input shape a bpnn model file's network gives."""
    with open(model_file, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
    return json.loads(header["__metadata__"]["bpnn.network"])["input"]


def predict(bpnn, model_file, x, work):
    """bpnn predict --raw on the samples of x (the batch first), as one flat list."""
    import numpy as np
    width = int(np.prod(sample_shape(model_file)))
    rows = x.reshape(-1, width)
    data = os.path.join(work, "x.csv")
    with open(data, "w") as f:
        for row in rows:
            f.write("0," + ",".join(repr(float(v)) for v in row) + "\n")
    out = os.path.join(work, "y.csv")
    subprocess.run([bpnn, "predict", "--raw", "--model", model_file, "--data", data, "--out", out], check=True,
                   capture_output=True, text=True)
    with open(out) as f:
        lines = f.read().split("\n")[1:]
    return np.array([float(v) for line in lines if line for v in line.split(",")[1:]], dtype=np.float64)


def run_case(bpnn, models, work):
    """("match", "") or ("wrong", why), or ("refused", the error) for the first model refused."""
    import numpy as np
    model_file = os.path.join(work, "m.safetensors")
    for onnx_file, samples in models:
        r = subprocess.run([bpnn, "import", "--onnx", onnx_file, "--out", model_file], capture_output=True, text=True)
        if r.returncode != 0:
            return "refused", r.stderr.strip()
        for k, (x, want) in enumerate(samples):
            want = tensor(want).astype(np.float64).ravel()
            got = predict(bpnn, model_file, tensor(x).astype(np.float32), work)
            if got.shape != want.shape:
                return "wrong", f"data set {k}: {got.size} values, ONNX expects {want.size}"
            diff = np.abs(got - want)
            if not np.all(diff <= 1e-5 + 1e-4 * np.abs(want)):
                return "wrong", f"data set {k}: max abs diff {diff.max():.3g}"
    return "match", ""


def table(results):
    """The counts as docs/onnx.md shows them: a column per kind of case, refusals grouped."""
    kinds = ("initializers", "inputs")

    def count(outcome, why=None):
        return [sum(1 for _, k, o, w in results if k == kind and o == outcome and why in (None, w)) for kind in kinds]

    def row(label, counts):
        return f"| {label} | " + " | ".join(str(c) for c in counts) + " |"

    totals = [sum(1 for _, k, _, _ in results if k == kind) for kind in kinds]
    lines = ["| outcome | weights as initializers | weights as graph inputs, made initializers |", "|---|---|---|",
             row("cases", totals), row("match ONNX's expected outputs", count("match")), row("wrong", count("wrong")),
             row("refused", count("refused"))]
    for group, _ in REFUSALS:
        counts = count("refused", group)
        if any(counts):
            lines.append(row(f"refused: {group}", counts))
    return "\n".join(lines) + "\n"


def main():
    bpnn, docs = sys.argv[1], sys.argv[2]
    update = "--update" in sys.argv[3:]
    try:
        import numpy  # noqa: F401
        import onnx  # noqa: F401
    except ImportError:
        print("SKIPPED: python3-onnx or python3-numpy is not installed")
        return 77
    if not os.path.isdir(DATA):
        print(f"SKIPPED: {DATA} is missing (Debian package libonnx-testdata)")
        return 77
    failures = []
    results = []
    with tempfile.TemporaryDirectory() as work:
        for name, kind, models in cases(work):
            outcome, why = run_case(bpnn, models, work)
            if outcome == "refused":
                message = why.splitlines()[-1] if why else ""
                group = next((g for g, pattern in REFUSALS if re.search(pattern, message)), None)
                if "bpnn imports opsets" in message:
                    failures.append(f"{name}: refused for its opset: {message}")
                elif group is None:
                    failures.append(f"{name}: refused without naming a feature bpnn lacks: {message}")
                why = group or message
            elif outcome == "wrong":
                failures.append(f"{name}: wrong: {why}")
            print(f"{outcome:8} {name}  {why}")
            results.append((name, kind, outcome, why))
    counts = table(results)
    with open(docs) as f:
        text = f.read()
    begin, end = "<!-- conformance counts (tests/onnx/conformance.py) -->\n", "<!-- end of conformance counts -->"
    if begin not in text or end not in text:
        failures.append(f"{docs} has no conformance counts between the markers {begin.strip()} and {end}")
    else:
        head, rest = text.split(begin, 1)
        shown, tail = rest.split(end, 1)
        if update:
            with open(docs, "w") as f:
                f.write(head + begin + counts + end + tail)
        elif shown != counts:
            failures.append(f"{docs} shows other counts than measured (rerun with --update):\n{shown}measured:\n{counts}")
    print(counts, end="")
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
