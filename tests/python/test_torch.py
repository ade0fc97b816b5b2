"""Weights between bpnn and PyTorch through state dicts: the same network gives the same outputs."""

import numpy as np
import pytest

import bpnn

torch = pytest.importorskip("torch")


def torch_net():
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3), torch.nn.Sigmoid())


X = np.random.default_rng(0).standard_normal((32, 4)).astype(np.float32)


def test_bpnn_state_dict_loads_into_torch():
    net = bpnn.Model("4-8tanh-3sigmoid", seed=5)
    t = torch_net()
    t.load_state_dict({k: torch.from_numpy(v) for k, v in net.state_dict().items()})
    with torch.no_grad():
        expected = t(torch.from_numpy(X)).numpy()
    assert np.max(np.abs(net.predict(X) - expected)) < 1e-6


def test_torch_state_dict_loads_into_bpnn():
    torch.manual_seed(0)
    t = torch_net()
    net = bpnn.Model("4-8tanh-3sigmoid")
    net.load_state_dict(t.state_dict())  # torch tensors, converted through .numpy()
    with torch.no_grad():
        expected = t(torch.from_numpy(X)).numpy()
    assert np.max(np.abs(net.predict(X) - expected)) < 1e-6
