"""bpnn.MLPClassifier and bpnn.MLPRegressor as scikit-learn estimators: check_estimator, string
labels, pickling, Pipeline and GridSearchCV."""

import pickle
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.datasets import load_iris, make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils import check_random_state  # noqa: E402
from sklearn.utils.estimator_checks import check_estimator  # noqa: E402

import bpnn  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# Checks that cannot pass, each for a reason given in docs/python.md. Keep this short.
SKIPPED = {
    "check_methods_subset_invariance": "bpnn computes in float32: predicting a subset may differ from predicting "
    "the whole set by one float32 rounding (GEMM blocking depends on the batch), above the check's atol 1e-7",
}


def all_checks():
    for estimator in (bpnn.MLPClassifier(), bpnn.MLPRegressor()):
        for est, check in check_estimator(estimator, generate_only=True):
            name = getattr(check, "func", check).__name__
            yield pytest.param(est, check, id=f"{type(est).__name__}-{name}")


@pytest.mark.parametrize("estimator, check", all_checks())
def test_check_estimator(estimator, check):
    name = getattr(check, "func", check).__name__
    if name in SKIPPED:
        pytest.skip(SKIPPED[name])
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
