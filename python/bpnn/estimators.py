"""scikit-learn estimators over bpnn's engine: MLPClassifier and MLPRegressor.

They take every parameter of scikit-learn's, with its meaning; what each maps to (and the few
differences) is listed in docs/python.md. The estimators only translate: the network is a list of
bpnn layers built by the library, training is one bpnn fit (with its schedule, validation, best
weights and L2 term), prediction one bpnn predict. The trained network is model_, a bpnn.Model.
Predictions are in portable arithmetic unless told otherwise, so that a sample's prediction does
not depend on the batch it is predicted in (scikit-learn's check_methods_subset_invariance).
"""

import math
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._bpnn import Model, TrainingDiverged, registry

# scikit-learn's activation names that are not bpnn's: "identity" is no layer at all, "logistic" is
# bpnn's sigmoid. Any other name is bpnn's own, one of the registry's activations with a gradient.
_SKLEARN_ACTIVATIONS = {"identity": None, "logistic": "sigmoid"}
_SOLVERS = ("sgd", "adam")
# scikit-learn's learning_rate values; they apply to the sgd solver only, as in scikit-learn.
_LEARNING_RATES = ("constant", "invscaling", "adaptive")
# arithmetic's values beside the registry's ("fast", "portable"): "auto" fits in the fast arithmetic
# and predicts in the portable one.
_AUTO_ARITHMETIC = "auto"
# scikit-learn draws weights and biases from U(+-sqrt(6 / (fan_in + fan_out))), Glorot's bound, but
# with 2 in place of 6 for logistic: bpnn's xavier_uniform with gain sqrt(2 / 6).
_GLOROT_GAIN = {"logistic": math.sqrt(2 / 6)}


def _arithmetics():
    return [_AUTO_ARITHMETIC] + [a["name"] for a in registry()["arithmetics"]]


def _activations():
    """activation's values: scikit-learn's names, then bpnn's (relu, tanh, ...)."""
    own = [a["name"] for a in registry()["activations"] if a["differentiable"]]
    return list(_SKLEARN_ACTIVATIONS) + [name for name in own if name not in _SKLEARN_ACTIVATIONS]


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
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        threads=1,
        arithmetic=_AUTO_ARITHMETIC,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.threads = threads
        self.arithmetic = arithmetic

    # --- what the subclasses say -------------------------------------------------------------
    # _output(y, warm) -> (units, output activation name, bpnn loss, targets for bpnn, gradient scale
    # c), where c is bpnn's loss gradient over scikit-learn's (used to map alpha and the SGD rate);
    # warm: a warm start, whose y must have the classes of the previous fit.

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if np.isscalar(sizes) else list(sizes)
        if any(int(s) != s or s <= 0 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {self.hidden_layer_sizes}.")
        return [int(s) for s in sizes]

    def _check_params(self):
        if self.activation not in _activations():
            raise ValueError(f"activation '{self.activation}' is not supported: use one of {_activations()}.")
        if self.solver not in _SOLVERS:
            raise ValueError(f"solver '{self.solver}' is not supported by bpnn: use one of {list(_SOLVERS)} "
                             "(bpnn trains by mini-batch gradient descent; lbfgs is a full-batch quasi-Newton method).")
        name = type(self).__name__
        if self.learning_rate not in _LEARNING_RATES:
            raise ValueError(f"The 'learning_rate' parameter of {name} must be a str among "
                             f"{{'constant', 'invscaling', 'adaptive'}}. Got {self.learning_rate!r} instead.")
        if not (isinstance(self.power_t, Real) and self.power_t >= 0):
            raise ValueError(f"The 'power_t' parameter of {name} must be a float in the range [0.0, inf). "
                             f"Got {self.power_t!r} instead.")
        if not (isinstance(self.max_fun, Integral) and self.max_fun >= 1):
            raise ValueError(f"The 'max_fun' parameter of {name} must be an int in the range [1, inf). "
                             f"Got {self.max_fun!r} instead.")
        if self.arithmetic not in _arithmetics():
            choices = ", ".join(repr(a) for a in _arithmetics())
            raise ValueError(f"The 'arithmetic' parameter of {name} must be a str among {{{choices}}}. "
                             f"Got {self.arithmetic!r} instead.")
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

    def _layers(self, units, out_activation):
        """The network's layers for bpnn.Model.from_layers: dense layers with scikit-learn's
        Glorot-uniform initialization (a bias's xavier_uniform takes its weight's fans), each
        followed by the activation (none for identity)."""
        hidden = _SKLEARN_ACTIVATIONS.get(self.activation, self.activation)
        init = {"type": "xavier_uniform", "gain": _GLOROT_GAIN.get(self.activation, 1.0)}
        sizes = self._hidden_sizes() + [units]
        layers = []
        for i, size in enumerate(sizes):
            layers.append({"type": "dense", "units": size, "init": init, "bias_init": init})
            activation = out_activation if i == len(sizes) - 1 else hidden
            if activation is not None:
                layers.append({"type": activation})
        return layers

    def _fit_arithmetic(self):
        """The arithmetic fit trains in: the fast one unless told."""
        return "fast" if self.arithmetic == _AUTO_ARITHMETIC else self.arithmetic

    def _predict_arithmetic(self):
        """The arithmetic model_ predicts in: the portable one unless told, so that a sample's outputs
        do not depend on the batch it is in."""
        return "portable" if self.arithmetic == _AUTO_ARITHMETIC else self.arithmetic

    def _start_records(self):
        """What a first fit starts from and a warm start carries on (scikit-learn's _initialize)."""
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self._no_improvement_count = 0
        if self.early_stopping:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.best_loss_ = np.inf
            self.validation_scores_ = None
            self.best_validation_score_ = None

    def _optimizer(self, scale, batch):
        """bpnn's optimizer and schedule options for the solver, learning_rate and alpha."""
        # alpha: scikit-learn adds alpha * W / batch to the gradient of its loss; bpnn's weight
        # decay adds weight_decay * W to the gradient of its own, which is `scale` times larger.
        options = {"weight_decay": scale * self.alpha / batch}
        if self.solver == "adam":  # learning_rate and power_t are SGD's, as in scikit-learn
            options.update(optimizer="adam", lr=self.learning_rate_init, beta1=self.beta_1, beta2=self.beta_2,
                           eps=self.epsilon)
            return options
        options["lr"] = self.learning_rate_init / scale
        if self.momentum > 0:
            options.update(optimizer="momentum", momentum=self.momentum, nesterov=bool(self.nesterovs_momentum))
        else:
            options["optimizer"] = "sgd"
        if self.learning_rate == "invscaling":
            options.update(schedule="invscaling", power=float(self.power_t))
        return options

    def _fit(self, X, y):
        self._check_params()
        warm = bool(self.warm_start) and hasattr(self, "model_")
        X, y = self._validate_data(X, y, multi_output=True, dtype=np.float32, y_numeric=self._y_numeric,
                                   reset=not warm)
        units, out_activation, loss, targets, scale = self._output(y, warm)
        layers = self._layers(units, out_activation)
        if warm and layers != self._network:
            raise ValueError("warm_start can only be used where the network is the one of the previous call to "
                             "fit: hidden_layer_sizes, activation or the number of outputs changed. Set "
                             "warm_start=False to train a new network.")
        self._loss = loss
        self.n_outputs_ = units
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        # model_'s own arithmetic is the one it predicts in, whoever calls it (predict, score, bpnn.Model's
        # own); each fit trains in its own.
        if warm:
            self.model_.threads = self.threads
            self.model_.arithmetic = self._predict_arithmetic()
            records = self.validation_scores_ if self.early_stopping else self.best_loss_
            if records is None:  # early_stopping changed since the last fit (scikit-learn would fail)
                self._start_records()
        else:
            self.model_ = Model.from_layers([X.shape[1]], layers, seed=seed, threads=self.threads,
                                            arithmetic=self._predict_arithmetic())
            self._network = layers
            self._start_records()

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

        adaptive = self.solver == "sgd" and self.learning_rate == "adaptive"
        rate = {"now": float(self.learning_rate_init), "next": None}  # scikit-learn's SGD rate, for adaptive
        unconverged = {"at_max_iter": False}

        def goes_on():
            """After an epoch that training goes on from: scikit-learn warns at the one that reaches
            max_iter (counted over warm starts)."""
            unconverged["at_max_iter"] |= self.n_iter_ == self.max_iter
            return False

        def after_epoch(report):
            """scikit-learn's record of the epoch and its rule to stop, or (adaptive) to divide the
            rate by 5 (a true result ends fit)."""
            # scikit-learn's loss holds its L2 term; bpnn's (what its weight decay is the gradient
            # of) is `scale` times larger, as the decay is.
            loss = report["train_loss"] * self._loss_factor + report["l2_penalty"] / scale
            self.n_iter_ += 1
            self.t_ += n
            self.loss_curve_.append(loss)
            if self.verbose:
                print("Iteration %d, loss = %.8f" % (self.n_iter_, loss))
            if self.early_stopping:
                # The library's validation score (accuracy, or R^2); fit keeps the best one's weights.
                score = report["validation"]["score"]
                self.validation_scores_.append(score)
                if self.verbose:
                    print("Validation score: %f" % score)
                worse = score < self.best_validation_score_ + self.tol
                if score > self.best_validation_score_:
                    self.best_validation_score_ = score
            else:
                worse = loss > self.best_loss_ - self.tol
                self.best_loss_ = min(self.best_loss_, loss)
            self._no_improvement_count = self._no_improvement_count + 1 if worse else 0
            if self._no_improvement_count <= self.n_iter_no_change:
                return goes_on()
            what = "Validation score" if self.early_stopping else "Training loss"
            message = "%s did not improve more than tol=%f for %d consecutive epochs." % (
                what, self.tol, self.n_iter_no_change)
            if adaptive and rate["now"] > 1e-6:
                rate["now"] /= 5.0
                rate["next"] = rate["now"]
                self._no_improvement_count = 0
                if self.verbose:
                    print(message + " Setting learning rate to %f" % rate["now"])
                return goes_on()
            if self.verbose:
                print(message + (" Learning rate too small. Stopping." if adaptive else " Stopping."))
            return True

        def lr_after_epoch(report):
            """adaptive: the rate after a division, in bpnn's units (for the next epochs)."""
            next_rate, rate["next"] = rate["next"], None
            return None if next_rate is None else next_rate / scale

        try:
            self.model_.fit(
                X,
                targets,
                loss=loss,
                batch_size=batch,
                epochs=int(self.max_iter),
                shuffle=bool(self.shuffle),
                seed=seed,
                callback=after_epoch,
                lr_after_epoch=lr_after_epoch if adaptive else None,
                validation_data=(X_val, y_val) if self.early_stopping else None,
                best_by="score",
                task=self._task,
                # What a saved model_ names: the classes (bpnn predict prints them) and the columns.
                class_names=[str(c) for c in self.classes_] if self._task == "classification" else None,
                feature_names=[str(f) for f in getattr(self, "feature_names_in_", [])] or None,
                arithmetic=self._fit_arithmetic(),
                **self._optimizer(scale, batch),
            )
        except TrainingDiverged as error:
            # The estimators have no gradient clipping to offer: scikit-learn's advice, and the rate.
            raise ValueError(
                f"Solver produced non-finite values: the loss of epoch {self.n_iter_ + 1} is not finite. The input "
                "data may contain large values and need to be preprocessed (StandardScaler), or learning_rate_init "
                f"({self.learning_rate_init}) is too large."
            ) from error
        if unconverged["at_max_iter"]:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the optimization "
                "hasn't converged yet.",
                ConvergenceWarning,
            )
        state = self.model_.state_dict()
        names = [name for name in state if name.endswith(".weight")]
        self.coefs_ = [np.ascontiguousarray(state[name].T) for name in names]
        self.intercepts_ = [state[name[: -len("weight")] + "bias"] for name in names]
        self.n_layers_ = len(self.coefs_) + 1
        self.out_activation_ = "softmax" if self._softmax else "logistic" if out_activation == "sigmoid" else "identity"
        return self

    def _inputs(self, X):
        check_is_fitted(self, "model_")
        return self._validate_data(X, dtype=np.float32, reset=False)

    def _outputs(self, X):
        X = self._inputs(X)
        return self.model_.predict(X).astype(np.float64)



class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multi-layer perceptron classifier (scikit-learn's MLPClassifier) trained by bpnn.

    Binary: one logistic output and binary cross-entropy; several classes: softmax outputs and
    cross-entropy (on logits); a label-indicator matrix: one logistic output per label.
    """

    _y_numeric = False
    _loss_factor = 1.0
    _softmax = False

    def _check_warm_classes(self, kind, classes):
        if kind != self._kind or set(classes) != set(self.classes_):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in the previous call to fit. "
                f"Previously got {self.classes_}, `y` has {classes}"
            )

    def _output(self, y, warm):
        if y.ndim == 2 and y.shape[1] > 1 and type_of_target(y) == "multilabel-indicator":
            if warm:
                self._check_warm_classes("multilabel", np.arange(y.shape[1]))
            self.classes_ = np.arange(y.shape[1])
            self._kind = "multilabel"
            self._task = "multilabel"
            self._loss_factor = float(y.shape[1])
            self._softmax = False
            # bpnn's bce is the mean over N * K elements, scikit-learn's the sum over K, mean over N.
            return y.shape[1], "sigmoid", "bce", y.astype(np.float32), 1.0 / y.shape[1]
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        classes, indices = np.unique(y, return_inverse=True)
        if warm:
            self._check_warm_classes("binary" if len(classes) == 2 else "multiclass", classes)
        self.classes_ = classes
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

    def fit(self, X, y):
        """Trains on X [n_samples, n_features] and class labels y (any labels np.unique sorts)."""
        return self._fit(X, y)

    def predict_proba(self, X):
        """Class probabilities [n_samples, n_classes], in the order of classes_."""
        X = self._inputs(X)
        return self.model_.predict_proba(X, loss=self._loss)

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

    def _output(self, y, warm):
        y = np.asarray(y, dtype=np.float32)
        self._one_output = y.ndim == 1
        y = y.reshape(-1, 1) if y.ndim == 1 else y
        # scikit-learn's squared loss is mean((y - p)^2) / 2 with gradient (p - y) / N; bpnn's mse
        # is mean((y - p)^2) over N * K elements, whose gradient is 2 / K times that.
        self._loss_factor = 0.5
        self._task = "regression"
        return y.shape[1], None, "mse", np.ascontiguousarray(y), 2.0 / y.shape[1]

    def _stratify(self, targets):
        return False

    def fit(self, X, y):
        """Trains on X [n_samples, n_features] and targets y [n_samples] or [n_samples, n_outputs]."""
        return self._fit(X, y)

    def predict(self, X):
        out = self._outputs(X)
        return out.ravel() if self._one_output else out

    def _more_tags(self):
        return {"multioutput": True}
