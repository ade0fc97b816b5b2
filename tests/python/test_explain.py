"""Model.explain and Model.check_gradients: the library's numbers of one step and its gradient
check, as dicts, on the worked example (the tutorial's figures, to float32's tolerance)."""

import numpy as np
import pytest

import bpnn

X = np.array([[0.05, 0.10]], dtype=np.float32)
Y = np.array([[0.01, 0.99]], dtype=np.float32)
# float32 carries about 7 significant digits: 8 epsilons relative, as tests/mazur_test.cpp measures.
FLOAT = 8 * 1.1920929e-7


def worked_example():
    net = bpnn.Model("2-2sigmoid-2sigmoid")
    net.load_state_dict({"0.weight": np.array([[0.15, 0.20], [0.25, 0.30]]), "0.bias": np.array([0.35, 0.35]),
                         "2.weight": np.array([[0.40, 0.45], [0.50, 0.55]]), "2.bias": np.array([0.60, 0.60])})
    return net


def test_explain_gives_the_worked_examples_numbers():
    net = worked_example()
    before = net.state_dict()
    e = net.explain(X, Y, loss="mse", lr=0.5, weights=["w5", "w1"])
    assert e["loss"] == pytest.approx(0.298371109, rel=FLOAT)
    assert e["loss_terms"].tolist()[0] == pytest.approx([0.274811083, 0.023560026], rel=FLOAT)
    assert e["input_names"] == ["i1", "i2"]
    hidden, output = e["neuron_layers"]
    assert hidden["neurons"] == ["h1", "h2"] and output["neurons"] == ["o1", "o2"]
    assert hidden["activation"] == "sigmoid" and output["inputs"] == ["h1", "h2"]
    assert hidden["net"][0] == pytest.approx([0.3775, 0.3925], rel=FLOAT)
    assert hidden["out"][0] == pytest.approx([0.593269992, 0.596884378], rel=FLOAT)
    assert output["out"][0] == pytest.approx([0.751365070, 0.772928465], rel=FLOAT)
    assert output["delta"][0] == pytest.approx([0.138498562, -0.038098237], rel=FLOAT)
    assert hidden["out_grad"][0, 0] == pytest.approx(0.036350306, rel=FLOAT)
    w58 = e["parameters"]["2.weight"]
    assert w58["names"] == ["w5", "w6", "w7", "w8"]
    assert w58["grad"].ravel() == pytest.approx([0.082167041, 0.082667628, -0.022602540, -0.022740242], rel=FLOAT)
    assert w58["new_value"].ravel() == pytest.approx([0.358916480, 0.408666186, 0.511301270, 0.561370121], rel=FLOAT)
    assert e["parameters"]["0.weight"]["grad"][0, 0] == pytest.approx(0.000438568, rel=FLOAT)
    assert e["update_rule"] == "w_new = w - lr * dE/dw, lr 0.5"
    # The model is as it was.
    for name, value in net.state_dict().items():
        assert np.array_equal(value, before[name])


def test_explain_gives_chain_rules_beside_back_propagation():
    e = worked_example().explain(X, Y, lr=0.5, weights=["w5", "w1", "b(o2)"])
    w5 = e["chain_rules"]["w5"]
    assert w5["equation"] == "dE/dw5 = dE/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5"
    assert [f["name"] for f in w5["factors"]] == ["dE/dout_o1", "dout_o1/dnet_o1", "dnet_o1/dw5"]
    assert [f["value"] for f in w5["factors"]] == pytest.approx([0.74136507, 0.186815602, 0.593269992], rel=FLOAT)
    assert w5["product"] == pytest.approx(0.082167041, rel=FLOAT)
    assert w5["backprop"] == pytest.approx(w5["product"], rel=2 * 1.1920929e-7)
    w1 = e["chain_rules"]["w1"]
    paths = w1["factors"][0]["terms"]
    assert [(t["neuron"], t["weight"]) for t in paths] == [("o1", "w5"), ("o2", "w7")]
    assert [t["product"] for t in paths] == pytest.approx([0.055399425, -0.019049118], rel=FLOAT)
    assert w1["product"] == pytest.approx(0.000438568, rel=FLOAT)
    assert e["chain_rules"]["b(o2)"]["bias"] and e["chain_rules"]["b(o2)"]["from"] == ""
    with pytest.raises(ValueError, match="no weight or bias named 'w9'"):
        worked_example().explain(X, Y, weights=["w9"])


def test_explain_names_no_neurons_it_cannot_name():
    net = bpnn.Model('{"input": [1, 4, 4], "layers": [{"type": "conv2d", "filters": 2}, {"type": "flatten"},'
                     ' {"type": "dense", "units": 3}]}', seed=1)
    e = net.explain(np.ones((2, 16), dtype=np.float32), np.array([0, 2]), loss="cross_entropy")
    assert e["neuron_layers"] == [] and "[1, 4, 4]" in e["unnamed"]
    assert e["loss_terms"] is None
    assert [layer["kind"] for layer in e["layers"]] == ["conv2d", "flatten", "dense"]
    assert e["layers"][0]["output"].shape == (2, 2, 2, 2)
    assert e["parameters"]["0.weight"]["grad"].shape == (2, 1, 3, 3)


def test_check_gradients_reports_every_tensor():
    r = worked_example().check_gradients(X, Y)
    assert r["ok"], r["report"]
    assert [t["name"] for t in r["tensors"]] == ["input", "0.weight", "0.bias", "2.weight", "2.bias"]
    assert r["checked"] == 14 and r["skipped"] == 0
    assert all(t["passed"] and t["max_relative_error"] < 1e-6 for t in r["tensors"])
    big = bpnn.Model("20-30tanh-3", seed=2)
    few = big.check_gradients(np.random.default_rng(0).random((4, 20)), np.array([0, 1, 2, 1]),
                              loss="cross_entropy", max_elements=10)
    assert few["ok"], few["report"]
    assert [t["checked"] for t in few["tensors"]] == [10, 10, 10, 10, 3]
