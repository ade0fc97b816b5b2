"""bpnn: a back-propagation neural-network engine (C++) for Python.

The engine's objects come from the extension module _bpnn: Model (alias Network), read_dataset
(a Dataset: X and y with the file's names), parse_network, demo, and layer_kinds and registry, the
library's names with their options; its errors are ValueErrors (TrainingDiverged one of them).
The scikit-learn estimators MLPClassifier and MLPRegressor (bpnn.estimators) are loaded on first
use, so `import bpnn` does not need scikit-learn. See docs/python.md.
"""

from ._bpnn import (
    Model,
    TrainingDiverged,
    __version__,
    _input_address,
    demo,
    demos,
    layer_kinds,
    parse_network,
    registry,
)
from ._bpnn import read_dataset as _read_dataset

Network = Model

__all__ = [
    "Dataset",
    "Model",
    "Network",
    "TrainingDiverged",
    "MLPClassifier",
    "MLPRegressor",
    "demo",
    "demos",
    "layer_kinds",
    "parse_network",
    "read_dataset",
    "registry",
    "__version__",
]


class Dataset(tuple):
    """A data set as read_dataset returns it: the pair (X, y), so `X, y = bpnn.read_dataset(path)`
    unpacks it, with what the file names: `classes` (the class count, 0 for real-valued targets),
    `class_names` (class id -> name when the labels are names; empty when they are the class
    numbers), and a CSV header's `feature_names` and `target_names`."""

    def __new__(cls, X, y, *, classes=0, class_names=(), feature_names=(), target_names=()):
        data = super().__new__(cls, (X, y))
        data.classes = classes
        data.class_names = list(class_names)
        data.feature_names = list(feature_names)
        data.target_names = list(target_names)
        return data

    X = property(lambda self: self[0], doc="the inputs, float32 [N, ...]")
    y = property(lambda self: self[1], doc="int64 class indices [N], or float32 targets [N, K]")

    def __getnewargs_ex__(self):
        names = dict(classes=self.classes, class_names=self.class_names, feature_names=self.feature_names,
                     target_names=self.target_names)
        return (self.X, self.y), names


def read_dataset(path, *, labels="", label=None, target_cols=0, targets=(), drop=(), delimiter=None,
                 header="auto", no_labels=False, class_names=(), input_range=None):
    """Reads IDX (gzip too), CSV or FANN data, chosen by content, with the command line's reading
    options (docs/data-formats.md): labels (IDX: the labels file), label (CSV: the class label
    column, a header name or a 0-based index), target_cols (CSV: the last K columns are regression
    targets) or targets (CSV: these columns, by name or index), drop (CSV: columns left out, such as
    an ID, by name or index), delimiter (one character or "tab";
    None: detected), header ("auto", "yes", "no", True or False), no_labels (inputs only: y is
    [N, 0]), class_names (the classes to number labels by, e.g. a training set's, so that a test
    set's ids agree), input_range (IDX: pixels 0..255 map to (low, high)). Returns a Dataset."""
    read = _read_dataset(path, labels=labels, label=label, target_cols=target_cols, targets=list(targets),
                         drop=[str(column) for column in drop], delimiter=delimiter or "", header=header,
                         no_labels=no_labels,
                         class_names=list(class_names), input_range=input_range)
    return Dataset(read.pop("X"), read.pop("y"), **read)


def __getattr__(name):
    if name in ("MLPClassifier", "MLPRegressor"):
        from . import estimators

        return getattr(estimators, name)
    raise AttributeError(f"module 'bpnn' has no attribute {name!r}")
