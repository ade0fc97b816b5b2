"""bpnn.MLPClassifier against scikit-learn's MLPClassifier on Fashion-MNIST: the same architecture,
solver, batch size, epochs and random_state; prints test accuracy and training seconds of each as a
Markdown table (docs/python.md). Not a test: timings depend on the machine.

  PYTHONPATH=build/python /usr/bin/python3 bench/python_vs_sklearn.py [--train-size 60000] [--epochs 10]
"""

import argparse
import os
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkMLPClassifier

import bpnn

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist", help="folder of the IDX .gz files")
parser.add_argument("--train-size", type=int, default=60000, help="the first N training images")
parser.add_argument("--epochs", type=int, default=10, help="max_iter")
parser.add_argument("--hidden", type=int, default=128)
parser.add_argument("--threads", type=int, default=1, help="bpnn's threads (scikit-learn uses numpy's BLAS threads)")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

X_train, y_train = bpnn.read_dataset(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
X_test, y_test = bpnn.read_dataset(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"))
X_train = X_train.reshape(len(X_train), -1)[: args.train_size]
y_train = y_train[: args.train_size]
X_test = X_test.reshape(len(X_test), -1)

settings = dict(hidden_layer_sizes=(args.hidden,), solver="adam", batch_size=200, max_iter=args.epochs,
                learning_rate_init=0.001, alpha=0.0001, random_state=args.seed)
rows = []
for name, estimator in [
    ("scikit-learn MLPClassifier", SkMLPClassifier(**settings)),
    (f"bpnn.MLPClassifier (threads={args.threads})", bpnn.MLPClassifier(**settings, threads=args.threads)),
]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t0 = time.perf_counter()
        estimator.fit(X_train, y_train)
        seconds = time.perf_counter() - t0
    accuracy = estimator.score(X_test, y_test)
    rows.append((name, accuracy, seconds))
    print(f"{name}: accuracy {accuracy:.4f}, {seconds:.1f} s", flush=True)

print(f"\nFashion-MNIST, {len(X_train)} training images, 10,000 test images; 784-{args.hidden}relu-10, adam "
      f"lr 0.001, batch 200, {args.epochs} epochs, alpha 0.0001, random_state {args.seed}\n")
print("| estimator | test accuracy | training seconds |")
print("|---|---|---|")
for name, accuracy, seconds in rows:
    print(f"| {name} | {accuracy:.4f} | {seconds:.1f} |")
