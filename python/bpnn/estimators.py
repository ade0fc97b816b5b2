"""scikit-learn estimators over bpnn's engine: MLPClassifier and MLPRegressor.

Parameters keep scikit-learn's names and meanings where bpnn has the same thing; what they map to
(and the few differences) is listed in docs/python.md. The estimators only translate: the network
is a bpnn network description, training is one bpnn fit, prediction one bpnn predict.
"""

import json
import math
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._bpnn import Model

_ACTIVATIONS = {"identity": None, "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}
_SOLVERS = ("sgd", "adam")


class _BaseMLP(BaseEstimator):
    """What the classifier and the regressor share: the network, the optimizer and the loop."""

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate_init=0.001,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        threads=1,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.threads = threads

    # --- what the subclasses say -------------------------------------------------------------
    # _output(y) -> (units, output activation name, bpnn loss, targets for bpnn, gradient scale c),
    # where c is bpnn's loss gradient over scikit-learn's (used to map alpha and the SGD rate).

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if np.isscalar(sizes) else list(sizes)
        if any(int(s) != s or s <= 0 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {self.hidden_layer_sizes}.")
        return [int(s) for s in sizes]

    def _check_params(self):
        if self.activation not in _ACTIVATIONS:
            raise ValueError(f"activation '{self.activation}' is not supported: use one of {list(_ACTIVATIONS)}.")
        if self.solver not in _SOLVERS:
            raise ValueError(f"solver '{self.solver}' is not supported by bpnn: use one of {list(_SOLVERS)}.")
        if self.max_iter <= 0:
            raise ValueError(f"max_iter must be > 0, got {self.max_iter}.")
        if self.alpha < 0:
            raise ValueError(f"alpha must be >= 0, got {self.alpha}.")
        if self.learning_rate_init <= 0:
            raise ValueError(f"learning_rate_init must be > 0, got {self.learning_rate_init}.")
        if not 0 <= self.momentum <= 1:
            raise ValueError(f"momentum must be >= 0 and <= 1, got {self.momentum}")
        if self.early_stopping and not 0 < self.validation_fraction < 1:
            raise ValueError(f"validation_fraction must be > 0 and < 1, got {self.validation_fraction}")
        if self.n_iter_no_change <= 0:
            raise ValueError(f"n_iter_no_change must be > 0, got {self.n_iter_no_change}.")

    def _network(self, n_features, units, out_activation):
        """The bpnn network: dense layers with scikit-learn's Glorot-uniform initialization."""
        sizes = [n_features] + self._hidden_sizes() + [units]
        hidden = _ACTIVATIONS[self.activation]
        factor = 2.0 if self.activation == "logistic" else 6.0
        layers = []
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            bound = math.sqrt(factor / (fan_in + fan_out))
            layers.append(
                {
                    "type": "dense",
                    "units": fan_out,
                    "init": {"type": "uniform", "low": -bound, "high": bound},
                    "bias_init": {"type": "uniform", "low": -bound, "high": bound},
                }
            )
            last = i == len(sizes) - 2
            activation = out_activation if last else hidden
            if activation is not None:
                layers.append({"type": activation})
        return json.dumps({"input": [n_features], "layers": layers})

    def _fit(self, X, y):
        self._check_params()
        X, y = self._validate_data(X, y, multi_output=True, dtype=np.float32, y_numeric=self._y_numeric)
        units, out_activation, loss, targets, scale = self._output(y)
        self._loss = loss
        self.n_outputs_ = units
        n = X.shape[0]
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))

        X_val = y_val = None
        if self.early_stopping:
            stratify = targets if self._stratify(targets) else None
            X, X_val, targets, y_val = train_test_split(
                X, targets, random_state=rng, test_size=self.validation_fraction, stratify=stratify
            )
            n = X.shape[0]

        if self.batch_size == "auto":
            batch = min(200, n)
        else:
            if self.batch_size < 1 or self.batch_size > n:
                warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is going to be clipped")
            batch = int(np.clip(self.batch_size, 1, n))

        self._model = Model.from_json(self._network(X.shape[1], units, out_activation), seed=seed, threads=self.threads)
        # alpha: scikit-learn adds alpha * W / batch to the gradient of its loss; bpnn's weight
        # decay adds weight_decay * W to the gradient of its own, which is `scale` times larger.
        optimizer = {"weight_decay": scale * self.alpha / batch}
        if self.solver == "adam":
            optimizer.update(
                optimizer="adam", lr=self.learning_rate_init, beta1=self.beta_1, beta2=self.beta_2, eps=self.epsilon
            )
        elif self.momentum > 0:
            optimizer.update(
                optimizer="momentum",
                lr=self.learning_rate_init / scale,
                momentum=self.momentum,
                nesterov=bool(self.nesterovs_momentum),
            )
        else:
            optimizer.update(optimizer="sgd", lr=self.learning_rate_init / scale)

        self.loss_curve_ = []
        self._no_improvement_count = 0
        if self.early_stopping:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
            best_state = None
        else:
            self.best_loss_ = np.inf

        def after_epoch(report):
            nonlocal best_state
            # scikit-learn's loss holds its L2 penalty, alpha / 2 * ||W||^2 / batch (weights only).
            penalty = 0.0
            if self.alpha > 0:
                squares = sum(float(np.dot(w.ravel(), w.ravel())) for name, w in self._model.state_dict().items()
                              if name.endswith("weight"))
                penalty = 0.5 * self.alpha * squares / batch
            loss = report["train_loss"] * self._loss_factor + penalty
            self.loss_curve_.append(loss)
            if self.verbose:
                print(f"Iteration {report['epoch']}, loss = {loss:.8f}")
            if self.early_stopping:
                score = self._validation_score(X_val, y_val)
                self.validation_scores_.append(score)
                if self.verbose:
                    print(f"Validation score: {score:f}")
                self._no_improvement_count = (
                    self._no_improvement_count + 1 if score < self.best_validation_score_ + self.tol else 0
                )
                if score > self.best_validation_score_:
                    self.best_validation_score_ = score
                    best_state = self._model.state_dict()
            else:
                self._no_improvement_count = self._no_improvement_count + 1 if loss > self.best_loss_ - self.tol else 0
                self.best_loss_ = min(self.best_loss_, loss)
            if self._no_improvement_count > self.n_iter_no_change:
                if self.verbose:
                    what = "Validation score" if self.early_stopping else "Training loss"
                    print(f"{what} did not improve more than tol={self.tol} for {self.n_iter_no_change} "
                          "consecutive epochs. Stopping.")
                return True
            return False

        best_state = None
        result = self._model.fit(
            X,
            targets,
            loss=loss,
            batch_size=batch,
            epochs=int(self.max_iter),
            shuffle=bool(self.shuffle),
            seed=seed,
            callback=after_epoch,
            **optimizer,
        )
        if self.early_stopping and best_state is not None:
            self._model.load_state_dict(best_state)
        self.n_iter_ = result["epochs"]
        self.t_ = self.n_iter_ * n
        if self.n_iter_ == self.max_iter and self._no_improvement_count <= self.n_iter_no_change:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the optimization "
                "hasn't converged yet.",
                ConvergenceWarning,
            )
        state = self._model.state_dict()
        names = [name for name in state if name.endswith(".weight")]
        self.coefs_ = [np.ascontiguousarray(state[name].T) for name in names]
        self.intercepts_ = [state[name[: -len("weight")] + "bias"] for name in names]
        self.n_layers_ = len(self.coefs_) + 1
        self.out_activation_ = "softmax" if self._softmax else "logistic" if out_activation == "sigmoid" else "identity"
        return self

    def _inputs(self, X):
        check_is_fitted(self, "_model")
        return self._validate_data(X, dtype=np.float32, reset=False)

    def _outputs(self, X):
        X = self._inputs(X)
        return self._model.predict(X).astype(np.float64)



class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multi-layer perceptron classifier (scikit-learn's MLPClassifier) trained by bpnn.

    Binary: one logistic output and binary cross-entropy; several classes: softmax outputs and
    cross-entropy (on logits); a label-indicator matrix: one logistic output per label.
    """

    _y_numeric = False
    _loss_factor = 1.0
    _softmax = False

    def _output(self, y):
        if y.ndim == 2 and y.shape[1] > 1 and type_of_target(y) == "multilabel-indicator":
            self.classes_ = np.arange(y.shape[1])
            self._kind = "multilabel"
            self._task = "multilabel"
            self._loss_factor = float(y.shape[1])
            self._softmax = False
            # bpnn's bce is the mean over N * K elements, scikit-learn's the sum over K, mean over N.
            return y.shape[1], "sigmoid", "bce", y.astype(np.float32), 1.0 / y.shape[1]
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        self.classes_, indices = np.unique(y, return_inverse=True)
        self._loss_factor = 1.0
        if len(self.classes_) < 2:
            raise ValueError(
                f"MLPClassifier needs samples of at least 2 classes in the data; got 1 class ({self.classes_[0]!r})."
            )
        self._task = "classification"
        if len(self.classes_) == 2:
            self._kind = "binary"
            self._softmax = False
            return 1, "sigmoid", "bce", indices.astype(np.float32).reshape(-1, 1), 1.0
        self._kind = "multiclass"
        self._softmax = True
        return len(self.classes_), None, "cross_entropy", indices.astype(np.float32), 1.0

    def _stratify(self, targets):
        return self._kind != "multilabel"

    def _validation_score(self, X, targets):
        # bpnn's accuracy: the class the outputs predict, or (multilabel) every label right.
        return float(self._model.evaluate(X, targets, loss=self._loss, task=self._task)["accuracy"])

    def fit(self, X, y):
        """Trains on X [n_samples, n_features] and class labels y (any labels np.unique sorts)."""
        return self._fit(X, y)

    def predict_proba(self, X):
        """Class probabilities [n_samples, n_classes], in the order of classes_."""
        X = self._inputs(X)
        return self._model.predict_proba(X, loss=self._loss)

    def predict_log_proba(self, X):
        return np.log(self.predict_proba(X))

    def predict(self, X):
        proba = self.predict_proba(X)
        if self._kind == "multilabel":
            return (proba > 0.5).astype(int)
        return self.classes_[np.argmax(proba, axis=1)]


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multi-layer perceptron regressor (scikit-learn's MLPRegressor) trained by bpnn: identity
    outputs and squared error."""

    _y_numeric = True
    _softmax = False

    def _output(self, y):
        y = np.asarray(y, dtype=np.float32)
        self._one_output = y.ndim == 1
        y = y.reshape(-1, 1) if y.ndim == 1 else y
        # scikit-learn's squared loss is mean((y - p)^2) / 2 with gradient (p - y) / N; bpnn's mse
        # is mean((y - p)^2) over N * K elements, whose gradient is 2 / K times that.
        self._loss_factor = 0.5
        return y.shape[1], None, "mse", np.ascontiguousarray(y), 2.0 / y.shape[1]

    def _stratify(self, targets):
        return False

    def _validation_score(self, X, targets):
        from sklearn.metrics import r2_score

        return float(r2_score(targets, self._model.predict(X)))

    def fit(self, X, y):
        """Trains on X [n_samples, n_features] and targets y [n_samples] or [n_samples, n_outputs]."""
        return self._fit(X, y)

    def predict(self, X):
        out = self._outputs(X)
        return out.ravel() if self._one_output else out

    def _more_tags(self):
        return {"multioutput": True}
