"""bpnn.MLPClassifier and bpnn.MLPRegressor as scikit-learn estimators: check_estimator, string
labels, pickling, Pipeline and GridSearchCV."""

import json
import os
import pickle
import subprocess
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
import sklearn.base  # noqa: E402
import sklearn.neural_network  # noqa: E402
from sklearn.datasets import load_iris, make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils import check_random_state  # noqa: E402
from sklearn.utils.estimator_checks import check_estimator  # noqa: E402

import bpnn  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")



def all_checks():
    for estimator in (bpnn.MLPClassifier(), bpnn.MLPRegressor()):
        for est, check in check_estimator(estimator, generate_only=True):
            name = getattr(check, "func", check).__name__
            yield pytest.param(est, check, id=f"{type(est).__name__}-{name}")


# Every check, none skipped: predictions are in portable arithmetic, so a subset's rows are the
# whole set's bits (check_methods_subset_invariance).
@pytest.mark.parametrize("estimator, check", all_checks())
def test_check_estimator(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_classifier_learns_iris_with_string_labels():
    X, y = iris()
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = bpnn.MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=0, learning_rate_init=0.01)
    clf.fit(X, names)
    assert list(clf.classes_) == ["setosa", "versicolor", "virginica"]
    assert clf.score(X, names) > 0.95
    assert set(clf.predict(X)) <= set(names)
    proba = clf.predict_proba(X)
    assert proba.shape == (150, 3) and np.allclose(proba.sum(axis=1), 1)
    assert clf.out_activation_ == "softmax" and clf.n_outputs_ == 3 and clf.n_features_in_ == 4
    assert [c.shape for c in clf.coefs_] == [(4, 16), (16, 3)]  # [in, out], as scikit-learn's
    assert [b.shape for b in clf.intercepts_] == [(16,), (3,)]
    assert clf.n_iter_ == len(clf.loss_curve_) and clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_arithmetic_fits_fast_and_predicts_portable_unless_told():
    X, y = iris()
    options = dict(hidden_layer_sizes=(8,), max_iter=30, random_state=0)
    clf = bpnn.MLPClassifier(**options)
    assert clf.get_params()["arithmetic"] == "auto"
    clf.fit(X, y)
    # Fitted in the fast arithmetic: the weights of arithmetic="fast"; predicting in the portable one.
    fast = bpnn.MLPClassifier(arithmetic="fast", **options).fit(X, y)
    assert clf.model_.to_bytes() == fast.model_.to_bytes()
    assert clf.model_.arithmetic == "portable" and fast.model_.arithmetic == "fast"
    whole = clf.predict_proba(X)
    rows = np.concatenate([clf.predict_proba(X[i : i + 1]) for i in range(len(X))])
    assert rows.tobytes() == whole.tobytes()
    assert clf.predict_proba(X[::-1]).tobytes() == whole[::-1].tobytes()
    # arithmetic="portable" fits in it too: the same weights at any thread count; clone keeps it.
    portable = [bpnn.MLPRegressor(arithmetic="portable", threads=t, **options).fit(X, y) for t in (1, 3)]
    assert portable[0].model_.to_bytes() == portable[1].model_.to_bytes()
    assert sklearn.base.clone(portable[1]).get_params()["arithmetic"] == "portable"
    with pytest.raises(ValueError, match=r"The 'arithmetic' parameter of MLPClassifier must be a str among "
                       r"\{'auto', 'fast', 'portable'\}. Got 'exact' instead."):
        bpnn.MLPClassifier(arithmetic="exact").fit(X, y)


def test_binary_and_sgd_and_early_stopping():
    X, y = iris()
    yb = np.where(y == 0, "a", "b")
    clf = bpnn.MLPClassifier(hidden_layer_sizes=(8,), activation="tanh", solver="sgd", learning_rate_init=0.1,
                             random_state=1, max_iter=200, early_stopping=True, n_iter_no_change=5)
    clf.fit(X, yb)
    assert clf.out_activation_ == "logistic" and clf.score(X, yb) > 0.95
    assert clf.predict_proba(X).shape == (150, 2)
    assert len(clf.validation_scores_) == clf.n_iter_ and clf.best_validation_score_ > 0.9


def test_early_stopping_keeps_the_weights_of_the_best_validation_score():
    X, y = iris()
    clf = bpnn.MLPClassifier(hidden_layer_sizes=(9,), activation="logistic", max_iter=300, random_state=2,
                             early_stopping=True, learning_rate_init=0.02).fit(X, y)
    assert clf.best_validation_score_ == max(clf.validation_scores_) > clf.validation_scores_[-1]
    # The validation split as the estimator draws it, scikit-learn's way: the model scores there what
    # its best epoch scored, not what its last did.
    rng = check_random_state(2)
    rng.randint(np.iinfo(np.int32).max)
    _, X_val, _, y_val = train_test_split(X, y, random_state=rng, test_size=0.1, stratify=y)
    assert clf.score(X_val, y_val) == clf.best_validation_score_


def test_initialization_is_scikit_learns_glorot_uniform():
    X, y = iris()
    for activation, factor in (("relu", 6), ("logistic", 2)):
        clf = bpnn.MLPClassifier(hidden_layer_sizes=(300,), activation=activation, max_iter=1, random_state=0,
                                 learning_rate_init=1e-12).fit(X, y)
        # Weights and biases of a layer from U(-b, b), b = sqrt(factor / (fan_in + fan_out)).
        for coef, intercept in zip(clf.coefs_, clf.intercepts_):
            bound = np.sqrt(factor / sum(coef.shape))
            assert np.abs(coef).max() <= bound * (1 + 1e-6) and np.abs(coef).max() > 0.95 * bound
            assert np.abs(intercept).max() <= bound * (1 + 1e-6)
        assert np.abs(clf.intercepts_[0]).max() > 0.95 * np.sqrt(factor / 304)  # 300 biases reach the bound


def test_pickling_keeps_predictions():
    X, y = iris()
    clf = bpnn.MLPClassifier(hidden_layer_sizes=(10,), max_iter=50, random_state=0).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    X, y = make_regression(n_samples=100, n_features=5, noise=0.1, random_state=0)
    reg = bpnn.MLPRegressor(hidden_layer_sizes=(20,), max_iter=100, random_state=0).fit(X, y)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(reg)).predict(X), reg.predict(X))


def test_same_random_state_same_model():
    X, y = iris()
    a = bpnn.MLPClassifier(hidden_layer_sizes=(10,), max_iter=20, random_state=3).fit(X, y)
    b = bpnn.MLPClassifier(hidden_layer_sizes=(10,), max_iter=20, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])


def test_regressor_fits_a_smooth_function():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (500, 2))
    y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2
    reg = bpnn.MLPRegressor(hidden_layer_sizes=(32, 32), max_iter=300, random_state=0, learning_rate_init=0.01)
    reg.fit(X, y)
    assert reg.score(X, y) > 0.95 and reg.predict(X).shape == (500,)
    assert reg.out_activation_ == "identity"
    two = reg.fit(X, np.stack([y, -y], axis=1)).predict(X)
    assert two.shape == (500, 2)


def test_pipeline_and_grid_search():
    X, y = iris()
    pipe = make_pipeline(StandardScaler(), bpnn.MLPClassifier(max_iter=100, random_state=0))
    search = GridSearchCV(pipe, {"mlpclassifier__hidden_layer_sizes": [(5,), (20,)],
                                 "mlpclassifier__learning_rate_init": [0.01]}, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    assert search.best_score_ > 0.85
    assert search.predict(X).shape == (150,)


def test_unsupported_settings_are_refused():
    X, y = iris()
    with pytest.raises(ValueError, match="solver 'lbfgs' is not supported"):
        bpnn.MLPClassifier(solver="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="activation"):
        bpnn.MLPClassifier(activation="sinusoid").fit(X, y)
    with pytest.raises(ValueError, match="activation"):  # no gradient: no back-propagation through it
        bpnn.MLPClassifier(activation="step").fit(X, y)


def test_bpnns_own_activations_are_taken_by_name():
    X, y = iris()
    clf = bpnn.MLPClassifier(hidden_layer_sizes=(8,), activation="leaky_relu", max_iter=30, random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.6


# --- scikit-learn's parameters, as its users write them ------------------------------------------

SKLEARN_ESTIMATORS = (
    (sklearn.neural_network.MLPClassifier, bpnn.MLPClassifier),
    (sklearn.neural_network.MLPRegressor, bpnn.MLPRegressor),
)


@pytest.mark.parametrize("theirs, ours", SKLEARN_ESTIMATORS)
def test_every_scikit_learn_parameter_at_its_default_runs_unchanged(theirs, ours):
    # The installed scikit-learn's own parameters and defaults, whatever its version: a script
    # written for its MLP runs with bpnn's by changing the import alone.
    params = theirs().get_params()
    assert {"learning_rate", "power_t", "warm_start", "max_fun"} <= set(params)
    estimator = ours(**params)
    assert {name: value for name, value in estimator.get_params().items() if name in params} == params
    assert set(estimator.get_params()) - set(params) == {"threads", "arithmetic"}  # bpnn's two additions
    X, y = iris()
    if theirs is sklearn.neural_network.MLPRegressor:
        y = X[:, 3] + 0.5 * X[:, 0]
        X = X[:, :3]
    estimator.fit(X, y)
    assert estimator.n_iter_ == len(estimator.loss_curve_) <= 200
    assert estimator.score(X, y) > 0.95


def test_unsupported_settings_are_refused_in_scikit_learns_words():
    X, y = iris()
    with pytest.raises(ValueError, match=r"solver 'lbfgs' is not supported by bpnn: use one of \['sgd', 'adam'\]"):
        bpnn.MLPClassifier(solver="lbfgs").fit(X, y)
    refused = {
        "learning_rate": ("sometimes", "The 'learning_rate' parameter of MLPClassifier must be a str among "
                                       "{'constant', 'invscaling', 'adaptive'}. Got 'sometimes' instead."),
        "power_t": (-0.5, "The 'power_t' parameter of MLPClassifier must be a float in the range [0.0, inf). "
                          "Got -0.5 instead."),
        "max_fun": (0, "The 'max_fun' parameter of MLPClassifier must be an int in the range [1, inf). "
                       "Got 0 instead."),
    }
    for name, (value, message) in refused.items():
        with pytest.raises(ValueError) as error:
            bpnn.MLPClassifier(**{name: value}).fit(X, y)
        assert str(error.value) == message


def test_divergence_is_named_in_scikit_learns_terms():
    X, y = iris()
    reg = bpnn.MLPRegressor(solver="sgd", learning_rate_init=10.0, max_iter=20, random_state=0)
    with pytest.raises(ValueError, match=r"^Solver produced non-finite values: the loss of epoch \d+ is not finite\. "
                                         r"The input data may contain large values and need to be preprocessed "
                                         r"\(StandardScaler\), or learning_rate_init \(10\.0\) is too large\.$"):
        reg.fit(X * 1000, y * 1000.0)


def bpnn_initial_weights(estimator, X, y):
    """The weights an estimator starts from: one epoch at a rate that moves no float32 weight."""
    probe = sklearn.base.clone(estimator).set_params(solver="sgd", momentum=0, learning_rate_init=1e-30, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        probe.fit(X, y)
    return probe.coefs_, probe.intercepts_


def sklearn_from(estimator, coefs, intercepts, X, y, fits):
    """scikit-learn's own estimator, started from bpnn's initial weights (by its warm start) and
    fitted once per max_iter of fits (a warm start after the first, as bpnn's)."""
    theirs = getattr(sklearn.neural_network, type(estimator).__name__)
    params = {k: v for k, v in estimator.get_params().items() if k not in ("threads", "arithmetic")}
    model = theirs(**{**params, "max_iter": 1, "warm_start": False})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)  # makes its attributes; then its record and weights as a first fit has them
        model.coefs_ = [c.astype(np.float64) for c in coefs]
        model.intercepts_ = [b.astype(np.float64) for b in intercepts]
        model.n_iter_, model.t_, model.loss_curve_, model.best_loss_, model._no_improvement_count = 0, 0, [], np.inf, 0
        for max_iter in fits:
            model.set_params(warm_start=True, max_iter=max_iter).fit(X, y)
    return model


def fitted(estimator, X, y, fits):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for max_iter in fits:
            estimator.set_params(max_iter=max_iter).fit(X, y)
    return estimator


def assert_same_training(ours, theirs, rtol=2e-5):
    assert ours.n_iter_ == theirs.n_iter_ and ours.t_ == theirs.t_
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=rtol)
    for mine, its in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(mine, its, rtol=5 * rtol, atol=rtol)


def float32_iris():
    X, y = iris()
    return X.astype(np.float32).astype(np.float64), y


@pytest.mark.parametrize("learning_rate", ["constant", "invscaling", "adaptive"])
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_sgd_learning_rate_schedules_train_as_scikit_learns(learning_rate, kind):
    # From the same weights, in file order, without momentum (scikit-learn's keeps the rate inside
    # its velocity, PyTorch's and bpnn's outside) and without alpha (bpnn decays the biases too):
    # the same weights, losses and epochs as scikit-learn's, up to float32 rounding. invscaling
    # divides the rate by (1 + the samples seen)^power_t after each epoch; adaptive divides it by 5
    # after n_iter_no_change + 1 epochs without an improvement of tol (every epoch here, tol being
    # large), and stops when it is at 1e-6.
    X, y = float32_iris()
    if kind == "classifier":
        estimator = bpnn.MLPClassifier(hidden_layer_sizes=(6,), activation="tanh")
    else:
        estimator, y, X = bpnn.MLPRegressor(hidden_layer_sizes=(6,), activation="tanh"), X[:, 3], X[:, :3]
    estimator.set_params(solver="sgd", momentum=0, alpha=0, shuffle=False, batch_size=20, random_state=0,
                         learning_rate=learning_rate, learning_rate_init=0.05, power_t=0.25,
                         tol=10 if learning_rate == "adaptive" else 1e-4, n_iter_no_change=2)
    coefs, intercepts = bpnn_initial_weights(estimator, X, y)
    ours = fitted(estimator, X, y, [12])
    theirs = sklearn_from(estimator, coefs, intercepts, X, y, [12])
    assert_same_training(ours, theirs)
    assert ours.n_iter_ == 12
    if learning_rate != "constant":  # the schedule changed what was learned
        constant = fitted(sklearn.base.clone(estimator).set_params(learning_rate="constant"), X, y, [12])
        assert not np.allclose(constant.coefs_[0], ours.coefs_[0], rtol=1e-3)


def test_adaptive_stops_once_the_rate_is_at_one_millionth():
    X, y = float32_iris()
    clf = bpnn.MLPClassifier(hidden_layer_sizes=(4,), solver="sgd", momentum=0, learning_rate="adaptive",
                             learning_rate_init=1e-4,
                             tol=10, n_iter_no_change=1, max_iter=100, random_state=0, shuffle=False)
    coefs, intercepts = bpnn_initial_weights(clf, X, y)
    theirs = sklearn_from(clf, coefs, intercepts, X, y, [100])
    fitted(clf, X, y, [100])
    # Divided by 5 after epochs 3, 5, 7 (1e-4 -> 8e-7), then stopped after epoch 9.
    assert clf.n_iter_ == theirs.n_iter_ == 9
    np.testing.assert_allclose(clf.loss_curve_, theirs.loss_curve_, rtol=2e-5)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_warm_start_trains_on_from_the_weights_as_scikit_learns(solver):
    # Two fits, the second a warm start: it goes on from the first one's weights with a new optimizer
    # (momentum and Adam's moments start again, as in scikit-learn), and its records (n_iter_, t_,
    # loss_curve_, best_loss_) go on.
    X, y = float32_iris()
    clf = bpnn.MLPClassifier(hidden_layer_sizes=(6,), solver=solver, learning_rate_init=0.02, alpha=0,
                             shuffle=False, batch_size=30, random_state=0, warm_start=True)
    coefs, intercepts = bpnn_initial_weights(clf, X, y)
    ours = fitted(clf, X, y, [3, 4])
    theirs = sklearn_from(clf, coefs, intercepts, X, y, [3, 4])
    assert ours.n_iter_ == 7 and ours.t_ == 7 * 150 and len(ours.loss_curve_) == 7
    assert ours.best_loss_ == min(ours.loss_curve_)
    # Adam's bias correction differs from scikit-learn's in where epsilon goes: a difference in the
    # fifth digit of the loss here.
    assert_same_training(ours, theirs, rtol=2e-5 if solver == "sgd" else 1e-4)

    # Without warm_start every fit starts again from the initialization.
    again = fitted(sklearn.base.clone(clf).set_params(warm_start=False), X, y, [3, 4])
    once = fitted(sklearn.base.clone(clf).set_params(warm_start=False), X, y, [4])
    np.testing.assert_array_equal(again.coefs_[0], once.coefs_[0])
    assert again.n_iter_ == 4 and not np.allclose(again.coefs_[0], ours.coefs_[0])


def test_warm_start_refuses_other_classes_and_another_network():
    X, y = iris()
    clf = bpnn.MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, warm_start=True, random_state=0)
    fitted(clf, X, y, [5])
    with pytest.raises(ValueError, match=r"warm_start can only be used where `y` has the same classes as in the "
                                         r"previous call to fit. Previously got \[0 1 2\], `y` has \[0 1\]"):
        clf.fit(X, y % 2)
    with pytest.raises(ValueError, match="hidden_layer_sizes, activation or the number of outputs changed"):
        clf.set_params(hidden_layer_sizes=(6,)).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but MLPClassifier is expecting 4 features"):
        clf.set_params(hidden_layer_sizes=(5,)).fit(X[:, :3], y)
    assert fitted(clf, X, y, [2]).n_iter_ == 7  # the refusals left it as it was


def test_learning_rate_and_power_t_are_sgds_only_as_in_scikit_learn():
    X, y = iris()
    adam = bpnn.MLPClassifier(hidden_layer_sizes=(5,), max_iter=10, random_state=0)
    a = fitted(sklearn.base.clone(adam), X, y, [10])
    b = fitted(adam.set_params(learning_rate="invscaling", power_t=2.0, max_fun=7), X, y, [10])
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])


# --- the trained model: public, savable for the command line, exportable to ONNX ----------------

def command_line():
    """The build's bpnn command (ctest gives its path; beside the package otherwise)."""
    return os.environ.get("BPNN_CLI") or os.path.join(os.path.dirname(bpnn.__file__), os.pardir, os.pardir, "bpnn")


def onnx_outputs(graph_bytes, X):
    """The ONNX graph's output for X, computed from its nodes with numpy (bpnn's export of dense
    networks: Gemm with transB, and elementwise activations)."""
    onnx = pytest.importorskip("onnx")
    import onnx.numpy_helper  # noqa: F401 (a submodule the package does not load)

    model = onnx.load_from_string(graph_bytes)
    onnx.checker.check_model(model)
    values = {t.name: onnx.numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}
    values[model.graph.input[0].name] = X
    for node in model.graph.node:
        attributes = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        x = values[node.input[0]]
        if node.op_type == "Gemm":
            assert attributes == {"transB": 1}
            out = x @ values[node.input[1]].T + values[node.input[2]]
        elif node.op_type == "Softmax":  # a classifier's second output, "probabilities"
            assert attributes == {"axis": 1}
            e = np.exp(x - x.max(axis=1, keepdims=True))
            out = e / e.sum(axis=1, keepdims=True)
        else:
            out = {"Relu": lambda v: np.maximum(v, 0), "Tanh": np.tanh,
                   "Sigmoid": lambda v: 1 / (1 + np.exp(-v))}[node.op_type](x)
        values[node.output[0]] = out
    return values[model.graph.output[0].name], [values[o.name] for o in model.graph.output[1:]]


@pytest.mark.parametrize("kind", ["classes", "binary", "regression"])
def test_the_trained_model_is_public_and_the_command_line_predicts_with_its_file(kind, tmp_path):
    # model_.save records what the model is (its loss, task and class names), so that bpnn predict
    # reads its outputs as the estimator does: the same classes, probabilities and values.
    X, y = iris()
    if kind == "regression":
        estimator, y = bpnn.MLPRegressor(hidden_layer_sizes=(8,), max_iter=100, random_state=0), X[:, 3] * 2
        X = X[:, :3]
    else:
        names = ["setosa", "versicolor", "virginica"] if kind == "classes" else ["other", "setosa"]
        y = np.array(names)[y] if kind == "classes" else np.where(y == 0, "setosa", "other")
        estimator = bpnn.MLPClassifier(hidden_layer_sizes=(8,), max_iter=100, random_state=0, learning_rate_init=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)
    assert isinstance(estimator.model_, bpnn.Model) and estimator.model_.layers[:2] == ["dense", "relu"]
    np.testing.assert_array_equal(estimator.model_.state_dict()["0.weight"], estimator.coefs_[0].T)
    path = tmp_path / "model.safetensors"
    estimator.model_.save(str(path))
    data = tmp_path / "inputs.csv"
    np.savetxt(data, X.astype(np.float32), delimiter=",", fmt="%.9g")
    # In the arithmetic the estimator predicts in (portable), the command line's outputs are its bits.
    lines = subprocess.run([command_line(), "predict", "--model", str(path), "--data", str(data),
                            "--arithmetic", "portable"], check=True, capture_output=True, text=True).stdout.splitlines()
    rows = [line.split(",") for line in lines[1:]]
    assert len(rows) == 150
    if kind == "regression":
        assert lines[0] == "output0"
        np.testing.assert_array_equal(np.array([float(r[0]) for r in rows], dtype=np.float32),
                                      estimator.predict(X).astype(np.float32))
        return
    assert lines[0] == "predicted," + ",".join(f"p_{name}" for name in estimator.classes_)
    np.testing.assert_array_equal([r[0] for r in rows], estimator.predict(X))
    np.testing.assert_allclose([[float(v) for v in r[1:]] for r in rows], estimator.predict_proba(X), rtol=1e-6,
                               atol=1e-7)


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_the_trained_model_exports_to_onnx(kind, tmp_path):
    X, y = iris()
    if kind == "classifier":
        estimator = bpnn.MLPClassifier(hidden_layer_sizes=(8, 5), activation="tanh", max_iter=50, random_state=0)
    else:
        estimator, y, X = bpnn.MLPRegressor(hidden_layer_sizes=(8,), max_iter=50, random_state=0), X[:, 3], X[:, :3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)
    graph = estimator.model_.to_onnx()
    outputs, more = onnx_outputs(graph, X.astype(np.float32).astype(np.float64))
    if kind == "classifier":  # the graph's output is the logits; its "probabilities", predict_proba
        assert len(more) == 1
        np.testing.assert_allclose(more[0], estimator.predict_proba(X), rtol=1e-5, atol=1e-6)
    else:
        assert more == []
        np.testing.assert_allclose(outputs.ravel(), estimator.predict(X), rtol=1e-5, atol=1e-5)
    # The file is the same graph; imported back (the library's ONNX import) it predicts the same bits.
    path = tmp_path / "model.onnx"
    estimator.model_.export_onnx(str(path))
    assert path.read_bytes() == graph
    for imported in (bpnn.Model.import_onnx(str(path)), bpnn.Model.from_onnx(graph)):
        imported.arithmetic = estimator.model_.arithmetic  # portable, the estimator's for predictions
        np.testing.assert_array_equal(imported.predict(X), estimator.model_.predict(X))
        assert imported.meaning == estimator.model_.meaning  # task, loss, class names: what the file records


def test_a_model_the_command_line_trained_with_scaling_reads_raw_inputs_in_python(tmp_path):
    # bpnn train --standardize records the input scaling in the model file; Python's predict_proba
    # and evaluate take raw inputs and apply it, with the model's own loss and output reading, so
    # they give what bpnn predict and bpnn eval give on the same file.
    iris_data = load_iris()
    X, y = iris_data.data.astype(np.float32), iris_data.target
    csv = tmp_path / "iris.csv"
    with open(csv, "w") as f:
        f.write("sepal_length,sepal_width,petal_length,petal_width,species\n")
        for row, label in zip(X, y):
            f.write(",".join(f"{v:.9g}" for v in row) + f",{iris_data.target_names[label]}\n")
    model = tmp_path / "iris.safetensors"
    subprocess.run([command_line(), "train", "--net", "4-8relu-3", "--train", str(csv), "--label", "species",
                    "--standardize", "--epochs", "20", "--lr", "0.1", "--seed", "1", "--out", str(model)], check=True, capture_output=True)
    lines = subprocess.run([command_line(), "predict", "--model", str(model), "--data", str(csv)], check=True,
                           capture_output=True, text=True).stdout.splitlines()
    assert lines[0] == "predicted,p_setosa,p_versicolor,p_virginica"
    cli_probabilities = np.array([[float(v) for v in line.split(",")[1:]] for line in lines[1:]])
    cli_eval = json.loads(subprocess.run([command_line(), "eval", "--model", str(model), "--data", str(csv), "--json"],
                                         check=True, capture_output=True, text=True).stdout)

    net = bpnn.Model.load(str(model))
    assert net.meaning["scaling"]["kind"] == "standardize"
    np.testing.assert_allclose(net.predict_proba(X), cli_probabilities, rtol=1e-5, atol=1e-7)
    evaluation = net.evaluate(X, y)
    assert evaluation["accuracy"] == pytest.approx(cli_eval["accuracy"], abs=1e-12)
    assert evaluation["loss"] == pytest.approx(cli_eval["loss"], rel=1e-6)
    assert evaluation["accuracy"] > 0.8  # (0.86 after 20 epochs) the inputs left unscaled give about a third
