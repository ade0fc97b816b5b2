"""The engine's objects from Python: models, fit/evaluate/predict, zero-copy input, the GIL,
Ctrl-C, errors, files, state dicts, the demos and the data readers."""

import _thread
import pickle
import threading
import time

import numpy as np
import pytest

import bpnn

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR_Y = np.array([0, 1, 1, 0], dtype=np.float32)


def test_the_tutorials_xor_network_learns_xor():
    net = bpnn.Model("2-3sigmoid-1sigmoid", seed=1)
    net.fit(XOR_X, XOR_Y, loss="mse", optimizer="sgd", lr=2.0, batch_size=4, epochs=3000, shuffle=False)
    out = net.predict(XOR_X).ravel()
    assert np.all(np.abs(out - XOR_Y) < 0.1), out


def test_the_registry_names_what_the_library_takes():
    r = bpnn.registry()
    assert [kind["name"] for kind in r["layers"]] == bpnn.layer_kinds()
    for a in r["activations"]:  # each activation is a suffix of the compact form
        assert bpnn.Model(f"2-3{a['name']}-1").layers == ["dense", a["name"], "dense"]
    slope = next(a for a in r["activations"] if a["name"] == "leaky_relu")["option"]
    assert slope == {"name": "slope", "default": 0.01, "pytorch": "negative_slope"}
    adamw = next(o for o in r["optimizers"] if o["name"] == "adamw")
    assert {o["name"]: o["default"] for o in adamw["options"]}["weight_decay"] == 0.01
    with pytest.raises(ValueError, match="optimizer 'sgd' has no momentum option"):
        bpnn.Model("2-1").fit(XOR_X, XOR_Y, optimizer="sgd", momentum=0.9)


def test_a_model_describes_itself():
    net = bpnn.Network("2-3sigmoid-1sigmoid")
    assert net.input_shape == (2,) and net.output_shape == (1,)
    assert net.layers == ["dense", "sigmoid", "dense", "sigmoid"]
    again = bpnn.Model.from_json(net.json)
    assert again.json == net.json
    assert '"units":3' in bpnn.parse_network("2-3sigmoid-1sigmoid")


def test_from_layers_builds_through_the_librarys_factory():
    glorot = {"type": "xavier_uniform", "gain": 0.5}
    layers = [{"type": "dense", "units": 30, "init": glorot, "bias_init": glorot}, {"type": "leaky_relu", "slope": 0.2},
              {"type": "dense", "units": 2, "bias": False}]
    net = bpnn.Model.from_layers([50], layers, seed=7)
    assert net.layers == ["dense", "leaky_relu", "dense"] and net.input_shape == (50,) and net.output_shape == (2,)
    # The same network as a description draws the same weights from the same seed.
    same = bpnn.Model.from_json(net.json, seed=7)
    for name, value in net.state_dict().items():
        np.testing.assert_array_equal(value, same.state_dict()[name])
    # Weights and biases from U(-b, b), b = 0.5 sqrt(6 / (50 + 30)): the bias takes its weight's fans.
    bound = 0.5 * np.sqrt(6 / 80)
    state = net.state_dict()
    assert np.abs(state["0.weight"]).max() <= bound and np.abs(state["0.weight"]).max() > 0.95 * bound
    assert np.abs(state["0.bias"]).max() <= bound and np.abs(state["0.bias"]).max() > 0.5 * bound
    assert bpnn.Model.from_layers(3, [{"type": "relu"}]).input_shape == (3,)
    assert bpnn.Model.from_layers((1, 4, 4), [{"type": "flatten"}]).output_shape == (16,)
    with pytest.raises(ValueError, match=r"from_layers: layers\[1\]: unknown layer type 'relux'"):
        bpnn.Model.from_layers([2], [{"type": "dense", "units": 2}, {"type": "relux"}])
    with pytest.raises(ValueError, match=r"from_layers: layers\[0\] \(dense\): field 'units' must be a positive"):
        bpnn.Model.from_layers([2], [{"type": "dense", "units": 0}])
    with pytest.raises(ValueError, match=r"layers\[0\]: field 'init': xavier_uniform: unknown field 'gian'"):
        bpnn.Model.from_layers([2], [{"type": "dense", "units": 1, "init": {"type": "xavier_uniform", "gian": 1}}])
    with pytest.raises(ValueError, match=r"layers\[0\]: field 'units': must be a number"):
        bpnn.Model.from_layers([2], [{"type": "dense", "units": [1]}])
    with pytest.raises(ValueError, match="a sample shape is 1 to 3 positive sizes"):
        bpnn.Model.from_layers([0], [{"type": "relu"}])


def test_float32_c_arrays_go_in_without_a_copy():
    X = np.ones((50, 4), dtype=np.float32)
    assert bpnn._input_address(X) == X.ctypes.data
    # Other dtypes and layouts are converted once, into a new buffer.
    assert bpnn._input_address(X.astype(np.float64)) != X.astype(np.float64).ctypes.data
    fortran = np.asfortranarray(np.ones((50, 4), dtype=np.float32))
    assert bpnn._input_address(fortran) != fortran.ctypes.data
    # The engine reads the caller's buffer: changing it changes what predict sees.
    net = bpnn.Model("4-3")
    before = net.predict(X).copy()
    X[:] = 2.0
    assert not np.allclose(net.predict(X), before)


def test_results_own_their_memory():
    net = bpnn.Model("4-3tanh", seed=3)
    out = net.predict(np.ones((5, 4), dtype=np.float32))
    state = net.state_dict()
    del net
    assert out.shape == (5, 3) and out.dtype == np.float32 and np.all(np.isfinite(out))
    assert state["0.weight"].shape == (3, 4)
    out[0, 0] = 7.0  # writable


def test_inputs_of_other_dtypes_and_image_shapes():
    net = bpnn.Model("6-2", seed=0)
    X = np.arange(24, dtype=np.int64).reshape(4, 6)
    np.testing.assert_allclose(net.predict(X), net.predict(X.astype(np.float32)))
    # [N, 2, 3] samples reach a 6-input network as rows of 6.
    np.testing.assert_allclose(net.predict(X.reshape(4, 2, 3)), net.predict(X))


def test_the_gil_is_released_while_training():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20000, 64)).astype(np.float32)
    y = rng.standard_normal((20000, 8)).astype(np.float32)
    net = bpnn.Model("64-256relu-256relu-8", seed=0)
    counter = [0]
    running = threading.Event()
    done = threading.Event()

    def count():
        running.set()
        while not done.is_set():
            counter[0] += 1

    worker = threading.Thread(target=count)
    worker.start()
    running.wait()
    time.sleep(0.2)
    start, t0 = counter[0], time.perf_counter()
    time.sleep(0.3)
    free_rate = (counter[0] - start) / (time.perf_counter() - t0)  # counts/s with the GIL free
    start, t0 = counter[0], time.perf_counter()
    net.fit(X, y, loss="mse", optimizer="adam", batch_size=64, epochs=2)
    seconds = time.perf_counter() - t0
    counted = counter[0] - start
    done.set()
    worker.join()
    assert seconds > 0.3, "the problem is too small to show anything"
    # Held for the whole fit, the counter would only move in the few switch intervals at callbacks.
    assert counted > 0.25 * free_rate * seconds, (counted, free_rate, seconds)


def test_callbacks_run_every_epoch_and_can_stop_training():
    net = bpnn.Model("2-3sigmoid-1sigmoid", seed=1)
    seen = []
    result = net.fit(XOR_X, XOR_Y, lr=0.5, batch_size=4, epochs=50,
                     callback=lambda r: seen.append(r["epoch"]) or r["epoch"] == 5)
    assert seen == [1, 2, 3, 4, 5]
    assert result["epochs"] == 5 and result["stopped_early"]
    assert len(result["history"]) == 5 and result["history"][0]["train_loss"] > 0


def test_schedules_take_their_options_and_lr_after_epoch_sets_the_rate():
    def rates(**options):
        net = bpnn.Model("2-3sigmoid-1sigmoid", seed=1)
        return [h["lr"] for h in net.fit(XOR_X, XOR_Y, lr=0.5, batch_size=4, epochs=4, **options)["history"]]

    assert rates() == [0.5] * 4
    assert rates(schedule="step", step_size=2, gamma=0.1) == pytest.approx([0.5, 0.5, 0.05, 0.05], rel=1e-15)
    # invscaling: the rate over (1 + the samples seen before the epoch)^power, 4 samples an epoch.
    assert rates(schedule="invscaling", power=0.5) == pytest.approx([0.5, 0.5 / 5 ** 0.5, 0.5 / 3, 0.5 / 13 ** 0.5],
                                                                    rel=1e-15)
    # A number from lr_after_epoch is the base from the next epoch on; None keeps it.
    asked = []

    def fifth_after_two(epoch):
        asked.append(epoch["epoch"])
        return 0.1 if epoch["epoch"] == 2 else None

    assert rates(lr_after_epoch=fifth_after_two) == pytest.approx([0.5, 0.5, 0.1, 0.1], rel=1e-15)
    assert asked == [1, 2, 3]  # not after the last epoch
    with pytest.raises(ValueError, match="'step' takes no power"):
        rates(schedule="step", power=0.5)
    with pytest.raises(ValueError, match="learning rate must be a number > 0"):
        rates(lr_after_epoch=lambda epoch: -1)

    # What lr_after_epoch raises reaches the caller, before another epoch is trained.
    net = bpnn.Model("2-3sigmoid-1sigmoid", seed=1)
    seen = []

    def fails(epoch):
        raise RuntimeError("no rate")

    with pytest.raises(RuntimeError, match="no rate"):
        net.fit(XOR_X, XOR_Y, lr=0.5, batch_size=4, epochs=4, callback=lambda r: seen.append(r["epoch"]),
                lr_after_epoch=fails)
    assert seen == [1]


def test_fit_reports_the_l2_term_of_its_weight_decay():
    net = bpnn.Model("2-3tanh-1", seed=2)
    state = net.state_dict()
    squares = sum(float(np.sum(v.astype(np.float64) ** 2)) for v in state.values())
    # At rate 0 the weights stay; decay 0.1 is the gradient of 0.1 / 2 times their squares.
    history = net.fit(XOR_X, XOR_Y, lr=0.0, weight_decay=0.1, epochs=2)["history"]
    assert [h["l2_penalty"] for h in history] == pytest.approx([0.05 * squares] * 2, rel=1e-12)
    assert net.fit(XOR_X, XOR_Y, lr=0.1, epochs=1)["history"][0]["l2_penalty"] == 0.0


def test_fit_keeps_the_weights_of_the_best_validation_score():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((60, 4)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(np.float32)
    Xv = rng.standard_normal((40, 4)).astype(np.float32)
    yv = (Xv[:, 0] + Xv[:, 1] * Xv[:, 2] > 0).astype(np.float32)
    net = bpnn.Model("4-8tanh-2", seed=2)
    result = net.fit(X, y, loss="cross_entropy", lr=1.0, batch_size=10, epochs=20, validation_data=(Xv, yv),
                     best_by="score", seed=3)
    scores = [h["validation"]["score"] for h in result["history"]]
    assert scores == [h["validation"]["accuracy"] for h in result["history"]]
    best = int(np.argmax(scores))  # the first of the highest
    assert result["best_epoch"] == best + 1 and result["history"][best]["best"]
    # A case where the last epoch is not the best, nor is the best by score the best by loss.
    assert scores[-1] < scores[best]
    assert int(np.argmin([h["validation"]["loss"] for h in result["history"]])) != best
    assert net.evaluate(Xv, yv, loss="cross_entropy")["accuracy"] == scores[best]
    with pytest.raises(ValueError, match="best_by 'r2'"):
        net.fit(X, y, loss="cross_entropy", validation_data=(Xv, yv), best_by="r2")
    # A regression's score is R².
    r = bpnn.Model("1-1").evaluate(X[:, :1], X[:, 0] * 2, loss="mse")
    assert r["score"] == r["r2"]


def test_an_exception_in_the_callback_reaches_the_caller():
    net = bpnn.Model("2-1")

    def fail(report):
        raise RuntimeError("from the callback")

    with pytest.raises(RuntimeError, match="from the callback"):
        net.fit(XOR_X, XOR_Y, epochs=3, callback=fail)


def test_ctrl_c_stops_training_with_keyboard_interrupt():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((2000, 32)).astype(np.float32)
    y = rng.standard_normal((2000, 1)).astype(np.float32)
    net = bpnn.Model("32-64relu-1", seed=0)
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    t0 = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, y, epochs=100000, batch_size=16)
    assert time.perf_counter() - t0 < 10
    timer.join()
    assert np.all(np.isfinite(net.predict(X[:3])))  # the model is intact and usable


def test_library_errors_are_value_errors_with_the_librarys_message():
    with pytest.raises(ValueError, match="unknown layer type 'sigmoidx'"):
        bpnn.Model("2-3sigmoidx-1")
    net = bpnn.Model("2-3sigmoid-1")
    with pytest.raises(ValueError, match=r"expected input \[N, 2\], got \[3, 5\]"):
        net.predict(np.zeros((3, 5), dtype=np.float32))
    with pytest.raises(ValueError, match="optimizer"):
        net.fit(XOR_X, XOR_Y, optimizer="no_such_optimizer")
    with pytest.raises(ValueError, match="loss"):
        net.fit(XOR_X, XOR_Y, loss="no_such_loss")
    with pytest.raises(ValueError, match="no such file"):
        bpnn.Model.load("/nonexistent/model.safetensors")
    with pytest.raises(ValueError, match="expected one of mazur"):
        bpnn.demo("nope")


def test_nan_and_infinite_values_are_named_before_the_library_uses_them():
    # relu(NaN) is 0: a NaN in X trained without a word, and predicted a number.
    net = bpnn.Model("2-3relu-1", seed=0)
    before = net.state_dict()["0.weight"]
    X = XOR_X.copy()
    X[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"^Input X contains NaN \(sample 2, value 1\)\.$"):
        net.fit(X, XOR_Y)
    y = XOR_Y.copy()
    y[3] = np.inf
    with pytest.raises(ValueError, match=r"^Input y contains infinity or a value too large for float32 \(sample 3\)"):
        net.fit(XOR_X, y)
    huge = XOR_X.astype(np.float64)
    huge[1, 0] = 1e300  # beyond float32: infinite once converted
    with np.errstate(over="ignore"):
        with pytest.raises(ValueError, match=r"Input X contains infinity .* \(sample 1, value 0\)"):
            net.fit(huge, XOR_Y)
    with pytest.raises(ValueError, match=r"Input validation y contains infinity"):
        net.fit(XOR_X, XOR_Y, validation_data=(XOR_X, y))
    np.testing.assert_array_equal(net.state_dict()["0.weight"], before)
    for call in (net.predict, net.predict_proba, lambda x: net.evaluate(x, XOR_Y)):
        with pytest.raises(ValueError, match=r"^Input X contains NaN \(sample 2, value 1\)"):
            call(X)
    with pytest.raises(ValueError, match=r"^Input y contains infinity"):
        net.evaluate(XOR_X, y)


def test_divergence_is_training_diverged_naming_the_epoch_and_pythons_option():
    net = bpnn.Model("2-8tanh-1", seed=0)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 2, dtype=np.float32)
    y = np.array([0, 1, 1, 0] * 2, dtype=np.float32)
    net.fit(X, y, lr=0.1, batch_size=4)
    before = net.state_dict()
    with pytest.raises(bpnn.TrainingDiverged) as error:
        net.fit(X, y, lr=1e38, batch_size=4, epochs=3, shuffle=False)
    assert isinstance(error.value, ValueError) and error.value.epoch == 1
    assert str(error.value).startswith("training diverged in epoch 1, batch ")
    assert str(error.value).endswith("of 2: the loss is infinite; try a smaller learning rate, or clip the gradients' "
                                     "norm (max_grad_norm)")
    for name, value in net.state_dict().items():  # the weights of before the failing epoch
        np.testing.assert_array_equal(value, before[name])


def test_evaluate_reports_classification_and_regression():
    X = np.array([[0.0], [1.0], [2.0], [3.0]], dtype=np.float32)
    net = bpnn.Model("1-2", seed=0)
    e = net.evaluate(X, np.array([0, 1, 1, 0]), loss="cross_entropy")
    assert e["classification"] and e["samples"] == 4 and 0 <= e["accuracy"] <= 1
    assert e["confusion"].shape == (2, 2) and e["confusion"].sum() == 4
    r = bpnn.Model("1-1").evaluate(X, X[:, 0] * 2, loss="mse")
    assert not r["classification"] and {"mse", "mae", "r2"} <= set(r)


def test_class_probabilities_and_binary_accuracy_come_from_the_library():
    X = np.array([[0.0], [1.0]], dtype=np.float32)
    net = bpnn.Model('{"input": [1], "layers": [{"type": "dense", "units": 2, "init": "zeros"}]}')
    net.load_state_dict({"0.weight": np.array([[0.0], [np.log(3.0)]]), "0.bias": np.zeros(2)})
    # Logits (0, 0) and (0, ln 3): softmax (1/2, 1/2) and (1/4, 3/4).
    p = net.predict_proba(X, loss="cross_entropy")
    assert p.dtype == np.float64 and p.shape == (2, 2)
    np.testing.assert_allclose(p, [[0.5, 0.5], [0.25, 0.75]], rtol=1e-6)
    # One output is class 1's probability; 0.5 and above predict class 1.
    one = bpnn.Model('{"input": [1], "layers": [{"type": "dense", "units": 1}]}')
    one.load_state_dict({"0.weight": np.array([[0.5]]), "0.bias": np.array([0.25])})
    np.testing.assert_allclose(one.predict_proba(X, loss="bce"), [[0.75, 0.25], [0.25, 0.75]])
    e = one.evaluate(X, np.array([[1.0], [1.0]], dtype=np.float32), loss="mse", task="classification")
    assert e["classification"] and e["accuracy"] == 0.5 and e["confusion"].tolist() == [[0, 0], [1, 1]]
    m = one.evaluate(X, np.array([[0.0], [1.0]], dtype=np.float32), loss="mse", task="multilabel")
    assert m["task"] == "multilabel" and m["accuracy"] == 1.0


def test_save_load_bytes_and_pickle_round_trips(tmp_path):
    net = bpnn.Model("3-5tanh-2", seed=4)
    X = np.random.default_rng(0).standard_normal((10, 3)).astype(np.float32)
    path = str(tmp_path / "m.safetensors")
    net.save(path)
    np.testing.assert_array_equal(bpnn.Model.load(path).predict(X), net.predict(X))
    np.testing.assert_array_equal(bpnn.Model.from_bytes(net.to_bytes()).predict(X), net.predict(X))
    again = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(again.predict(X), net.predict(X))
    assert again.json == net.json
    with pytest.raises(ValueError, match="from_bytes: .*too short"):
        bpnn.Model.from_bytes(b"1234")


def test_a_saved_model_records_what_it_is(tmp_path):
    # Nothing said: the output layer decides (one sigmoid: binary with bce; one linear: a value).
    assert bpnn.Model("2-3sigmoid-1sigmoid").meaning["task"] == "classification"
    assert bpnn.Model("2-3sigmoid-1sigmoid").meaning["loss"] == "bce"
    value = bpnn.Model("3-4tanh-1").meaning
    assert (value["task"], value["loss"], value["outputs"]) == ("regression", "mse", "values")
    assert bpnn.Model("3-4tanh-3").meaning["outputs"] == "logits"
    # fit records its loss and, when given, its task; save, load, bytes and pickle keep them.
    X = np.random.default_rng(1).standard_normal((8, 3)).astype(np.float32)
    net = bpnn.Model("3-4tanh-2", seed=2)
    net.fit(X, X[:, :2] * 2, loss="mae", task="regression", epochs=1)
    path = str(tmp_path / "r.safetensors")
    net.save(path)
    for copy in (bpnn.Model.load(path), bpnn.Model.from_bytes(net.to_bytes()), pickle.loads(pickle.dumps(net))):
        m = copy.meaning
        assert (m["task"], m["loss"], m["outputs"], m["classes"]) == ("regression", "mae", "values", 0)
        assert m["scaling"] == {"kind": "none", "shift": [], "scale": []}
    xor = bpnn.Model("2-3sigmoid-1sigmoid", seed=1)
    xor.fit(X[:, :2], (X[:, 0] > 0).astype(np.float32), loss="mse", epochs=1)
    assert (xor.meaning["task"], xor.meaning["loss"], xor.meaning["classes"]) == ("classification", "mse", 2)
    # Names, when fit is given them, are recorded too (bpnn predict prints the class names).
    xor.fit(X[:, :2], (X[:, 0] > 0).astype(np.float32), loss="bce", epochs=1, class_names=["low", "high"],
            feature_names=["a", "b"])
    m = bpnn.Model.from_bytes(xor.to_bytes()).meaning
    assert (m["class_names"], m["feature_names"], m["loss"]) == (["low", "high"], ["a", "b"], "bce")


def test_state_dict_names_and_load_state_dict_checks():
    net = bpnn.Model("3-5tanh-2", seed=4)
    state = net.state_dict()
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert state["0.weight"].shape == (5, 3)
    other = bpnn.Model("3-5tanh-2", seed=9)
    other.load_state_dict({k: v.astype(np.float64) for k, v in state.items()})
    X = np.ones((2, 3), dtype=np.float32)
    np.testing.assert_array_equal(other.predict(X), net.predict(X))
    bad = dict(state, **{"0.weight": np.zeros((3, 5))})
    with pytest.raises(ValueError, match=r"'0.weight' has shape \[3, 5\], the model's is \[5, 3\]"):
        other.load_state_dict(bad)
    with pytest.raises(ValueError, match="missing tensor '2.bias'"):
        other.load_state_dict({k: v for k, v in state.items() if k != "2.bias"})
    with pytest.raises(ValueError, match="unexpected tensor 'extra'"):
        other.load_state_dict(dict(state, extra=np.zeros(1)))


def test_inspect_shows_every_weight_bias_and_gradient(capsys):
    net = bpnn.Model("2-2sigmoid-2sigmoid", seed=0)
    d = net.inspect(XOR_X, np.stack([XOR_Y, 1 - XOR_Y], axis=1), loss="mse")
    printed = capsys.readouterr().out
    assert set(d) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert "0.weight [2, 2]" in printed and "grad" in printed
    assert d["0.weight"]["grad"].shape == (2, 2) and np.any(d["0.weight"]["grad"] != 0)
    # The batch's gradients are the library's, those of explain; the model is left as it was.
    explained = net.explain(XOR_X, np.stack([XOR_Y, 1 - XOR_Y], axis=1), loss="mse")["parameters"]
    for name in d:
        np.testing.assert_array_equal(d[name]["grad"], explained[name]["grad"])
        np.testing.assert_array_equal(d[name]["value"], net.state_dict()[name])


def test_threads_setting():
    net = bpnn.Model("4-8relu-2", seed=0, threads=2)
    assert net.threads == 2
    X = np.random.default_rng(0).standard_normal((300, 4)).astype(np.float32)
    y = np.random.default_rng(1).standard_normal((300, 2)).astype(np.float32)
    net.fit(X, y, epochs=2, seed=3)
    net.threads = 1
    assert net.predict(X).shape == (300, 2)


def test_arithmetic_setting_and_a_fit_in_another():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 4)).astype(np.float32)
    y = rng.integers(0, 3, 100).astype(np.float32)
    assert bpnn.Model("4-3").arithmetic == "fast"
    # Portable arithmetic: the same model bytes at 1, 2 and 3 threads.
    trained = []
    for threads in (1, 2, 3):
        net = bpnn.Model("4-16tanh-3", seed=0, threads=threads, arithmetic="portable")
        assert net.arithmetic == "portable" and net.threads == threads
        net.fit(X, y, loss="cross_entropy", optimizer="adam", lr=0.01, batch_size=16, epochs=5, seed=3)
        trained.append(net.to_bytes())
    assert trained[0] == trained[1] == trained[2]
    # ... and a sample's outputs are the same bits in any batch, at any batch size.
    whole = net.predict(X)
    assert np.concatenate([net.predict(X[:7]), net.predict(X[7:])]).tobytes() == whole.tobytes()
    assert net.predict(X, batch_size=1).tobytes() == whole.tobytes()
    # A fit in another arithmetic leaves the model's own; pickling keeps it.
    net.fit(X, y, loss="cross_entropy", epochs=1, arithmetic="fast")
    assert net.arithmetic == "portable"
    again = pickle.loads(pickle.dumps(net))
    assert again.arithmetic == "portable" and again.threads == 3
    net.arithmetic = "fast"
    assert net.arithmetic == "fast" and net.threads == 3
    with pytest.raises(ValueError, match="unknown arithmetic 'exact'; use fast or portable"):
        net.arithmetic = "exact"
    with pytest.raises(ValueError, match="unknown arithmetic 'exact'"):
        net.fit(X, y, loss="cross_entropy", arithmetic="exact")
    assert [a["name"] for a in bpnn.registry()["arithmetics"]] == ["fast", "portable"]


def test_the_demos_return_their_text():
    text = bpnn.demo("mazur")
    assert "forward pass" in text and "0.593269992" in text
    assert "tutorial" in bpnn.demo("mazur", tutorial_order=True)
    assert "0.593269992" in bpnn.demo("mazur", arithmetic="fast")
    assert set(bpnn.demos) == {"mazur", "perceptron", "xor", "xnor", "regression"}


def test_read_dataset_returns_arrays(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b,label\n0.5,1.5,0\n2.5,3.5,1\n4.5,5.5,1\n")
    X, y = bpnn.read_dataset(str(path))
    assert X.dtype == np.float32 and X.shape == (3, 2)
    np.testing.assert_array_equal(y, [0, 1, 1])


def test_read_dataset_takes_the_command_lines_reading_options_and_returns_the_names(tmp_path):
    # Headerless, ';'-separated, the label in the first column: --label 0 --delimiter ';' --header no.
    path = tmp_path / "iris.csv"
    path.write_text("virginica;6,3;3,3\nsetosa;5,1;3,5\nversicolor;7,0;3,2\nsetosa;4,9;3,0\n")
    data = bpnn.read_dataset(str(path), label=0, delimiter=";", header="no")
    X, y = data
    np.testing.assert_array_equal(X, np.array([[6.3, 3.3], [5.1, 3.5], [7.0, 3.2], [4.9, 3.0]], dtype=np.float32))
    assert data.class_names == ["setosa", "versicolor", "virginica"] and data.classes == 3
    np.testing.assert_array_equal(y, [2, 0, 1, 0])
    assert data.X is X and data.y is y and data.feature_names == []
    # A test set numbered by the training set's classes (here in another order), and one it lacks.
    again = bpnn.read_dataset(str(path), label=0, delimiter=";", header=False,
                              class_names=["virginica", "versicolor", "setosa"])
    np.testing.assert_array_equal(again.y, [0, 2, 1, 2])
    with pytest.raises(ValueError, match="setosa"):
        bpnn.read_dataset(str(path), label=0, delimiter=";", header="no", class_names=["virginica", "versicolor"])

    # A header: the label column by name, tab-separated; the names come back.
    path = tmp_path / "named.tsv"
    path.write_text("width\tspecies\theight\n1.5\tb\t2\n2.5\ta\t4\n")
    data = bpnn.read_dataset(str(path), label="species", delimiter="tab", header=True)
    np.testing.assert_array_equal(data.X, [[1.5, 2], [2.5, 4]])
    np.testing.assert_array_equal(data.y, [1, 0])
    assert data.class_names == ["a", "b"] and data.feature_names == ["width", "height"]
    assert data.target_names == ["species"]
    assert bpnn.read_dataset(str(path), label=1).class_names == ["a", "b"]  # by index; tab and header detected

    # Regression: the last K columns (--target-cols), or columns by name; inputs only.
    path = tmp_path / "reg.csv"
    path.write_text("x1,x2,y1,y2\n1,2,0.5,-1\n3,4,1.5,-2\n")
    data = bpnn.read_dataset(str(path), target_cols=2)
    assert data.y.dtype == np.float32 and data.classes == 0 and data.class_names == []
    np.testing.assert_array_equal(data.y, [[0.5, -1], [1.5, -2]])
    assert data.feature_names == ["x1", "x2"] and data.target_names == ["y1", "y2"]
    data = bpnn.read_dataset(str(path), targets=["y2"])
    np.testing.assert_array_equal(data.X, [[1, 2, 0.5], [3, 4, 1.5]])
    np.testing.assert_array_equal(data.y, [[-1], [-2]])
    data = bpnn.read_dataset(str(path), no_labels=True)
    assert data.X.shape == (2, 4) and data.y.shape == (2, 0)
    # Columns left out, by name or index; labels counted from 1 are class names.
    path_ids = tmp_path / "ids.csv"
    path_ids.write_text("id,x,wine\n7,0.5,1\n8,1.5,3\n9,2.5,2\n")
    data = bpnn.read_dataset(str(path_ids), label="wine", drop=["id"])
    np.testing.assert_array_equal(data.X, [[0.5], [1.5], [2.5]])
    np.testing.assert_array_equal(data.y, [0, 2, 1])
    assert data.class_names == ["1", "2", "3"] and data.feature_names == ["x"]
    assert bpnn.read_dataset(str(path_ids), label="wine", drop=[0]).feature_names == ["x"]
    again = pickle.loads(pickle.dumps(data))
    assert again.feature_names == data.feature_names and np.array_equal(again.X, data.X)

    for options, message in (({"delimiter": "::"}, "delimiter: expected one character or 'tab', got '::'"),
                             ({"header": "maybe"}, "header: expected 'auto', 'yes', 'no', True or False"),
                             ({"label": 1.5}, "label is a column's header name or its 0-based index"),
                             ({"label": "colour"}, "colour")):
        with pytest.raises(ValueError, match=message):
            bpnn.read_dataset(str(path), **options)


def test_read_dataset_maps_idx_pixels_to_the_input_range(tmp_path):
    # Two 2x2 images of unsigned bytes and their labels, as MNIST's files hold them.
    images = tmp_path / "tiny-images-idx3-ubyte"
    images.write_bytes(bytes([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 255, 51, 102, 255, 0, 0, 0]))
    labels = tmp_path / "tiny-labels-idx1-ubyte"
    labels.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 3]))
    X, y = bpnn.read_dataset(str(images), labels=str(labels), input_range=(0.01, 0.99))
    assert X.shape == (2, 2, 2)
    np.testing.assert_allclose(X[0], [[0.01, 0.99], [0.01 + 0.98 * 0.2, 0.01 + 0.98 * 0.4]], rtol=1e-6)
    np.testing.assert_array_equal(y, [7, 3])
    X, y = bpnn.read_dataset(str(images))  # the labels file by the MNIST naming; pixels to [0, 1]
    np.testing.assert_allclose(X[0], [[0, 1], [0.2, 0.4]], rtol=1e-6)
    assert y.shape == (2,) and bpnn.read_dataset(str(images), no_labels=True).y.shape == (2, 0)


def test_every_optimizer_of_the_registry_trains_by_name_with_its_options():
    for kind in bpnn.registry()["optimizers"]:
        net = bpnn.Model("2-4tanh-1sigmoid", seed=3)
        before = net.predict(XOR_X).copy()
        net.fit(XOR_X, XOR_Y, optimizer=kind["name"], epochs=2, batch_size=4)
        assert not np.array_equal(net.predict(XOR_X), before), kind["name"]
    net = bpnn.Model("2-4tanh-1sigmoid", seed=3)
    net.fit(XOR_X, XOR_Y, optimizer="adagrad", lr_decay=0.01, initial_accumulator_value=0.1, epochs=1)
    with pytest.raises(ValueError, match="optimizer 'adam' has no lr_decay option"):
        net.fit(XOR_X, XOR_Y, optimizer="adam", lr_decay=0.01)
    with pytest.raises(ValueError, match="no optimizer has an option 'lr_dcay'"):
        net.fit(XOR_X, XOR_Y, optimizer="adagrad", lr_dcay=0.01)
