"""bpnn: a back-propagation neural-network engine (C++) for Python.

The engine's objects come from the extension module _bpnn: Model (alias Network), read_dataset,
parse_network, demo, and layer_kinds and registry, the library's names with their options. The
scikit-learn estimators MLPClassifier and MLPRegressor (bpnn.estimators)
are loaded on first use, so `import bpnn` does not need scikit-learn. See docs/python.md.
"""

from ._bpnn import (
    Model,
    __version__,
    _input_address,
    demo,
    demos,
    layer_kinds,
    parse_network,
    read_dataset,
    registry,
)

Network = Model

__all__ = [
    "Model",
    "Network",
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


def __getattr__(name):
    if name in ("MLPClassifier", "MLPRegressor"):
        from . import estimators

        return getattr(estimators, name)
    raise AttributeError(f"module 'bpnn' has no attribute {name!r}")
