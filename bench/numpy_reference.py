#!/usr/bin/env python3
"""One training epoch of bnlab's benchmark network in numpy, the yardstick `bnlab bench` compares against.

The same work as the engine's epoch (packages/engine/src/network.ts), op for op:
synthetic Gaussian inputs n x 3072 with random labels of 10 classes, a 3-layer net [50, 50] with batch norm
on both hidden layers (no bias there: beta replaces it), He initialisation, mini-batches of 100 drawn from a
fresh permutation, forward S = H W^T, batch norm with the batch mean and biased variance (eps 1e-5 inside
the root) and moving averages (alpha 0.9), ReLU, softmax + cross-entropy; backward dW = G^T H, dH = G W
(not for the first layer), batch-norm backward, bias sum for the output layer; SGD with L2 on W
(lambda 0.005): W -= eta (dW + 2 lambda W). Weights are stored output-major (W1 is 50 x 3072) like the
engine's. The learning rate is fixed (0.01): a schedule costs nothing and changes no timing.

Prints {"f64": seconds, "f32": seconds} per epoch (each the best of --repeats timed epochs after a warm-up).
Usage: python3 bench/numpy_reference.py [--quick] [--samples N] [--repeats R] [--threads T] [--seed S]
--threads T caps the BLAS threads (default: the BLAS's own choice, all cores); --threads 1 compares with
the engine's single-threaded kernels.
"""
import argparse
import json
import os
import sys
import time


def _threads_from_argv():
    # BLAS reads its thread count when numpy is imported, so this runs before the import.
    argv = sys.argv[1:]
    for i, a in enumerate(argv):
        value = a.split("=", 1)[1] if a.startswith("--threads=") else argv[i + 1] if a == "--threads" and i + 1 < len(argv) else None
        if value is not None:
            for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
                os.environ[var] = value


_threads_from_argv()
import numpy as np  # noqa: E402

D, K, HIDDEN, BATCH, LAMBDA, ETA, EPS, ALPHA = 3072, 10, (50, 50), 100, 0.005, 0.01, 1e-5, 0.9


def make_net(rng, dtype):
    sizes = [D, *HIDDEN, K]
    layers = []
    for i, (din, dout) in enumerate(zip(sizes[:-1], sizes[1:])):
        hidden = i < len(sizes) - 2
        layer = {"W": (rng.standard_normal((dout, din)) * np.sqrt(2.0 / din)).astype(dtype)}
        if hidden:
            layer.update(gamma=np.ones(dout, dtype), beta=np.zeros(dout, dtype),
                         mean_avg=None, var_avg=None)
        else:
            layer["b"] = np.zeros(dout, dtype)
        layers.append(layer)
    return layers


def train_step(layers, x, y, eta):
    n = x.shape[0]
    dtype = x.dtype
    # forward
    h = x
    saved = []
    for layer in layers[:-1]:
        s = h @ layer["W"].T                                  # NT: S[n,m] = H[n,d] W[m,d]^T
        mean = s.mean(axis=0)
        var = s.var(axis=0)                                   # biased
        inv = 1.0 / np.sqrt(var + dtype.type(EPS))
        shat = (s - mean) * inv
        out = layer["gamma"] * shat + layer["beta"]
        if layer["mean_avg"] is None:
            layer["mean_avg"], layer["var_avg"] = mean.copy(), var.copy()
        else:
            layer["mean_avg"] = ALPHA * layer["mean_avg"] + (1 - ALPHA) * mean
            layer["var_avg"] = ALPHA * layer["var_avg"] + (1 - ALPHA) * var
        np.maximum(out, 0, out=out)                           # ReLU
        saved.append((h, shat, var, out))
        h = out
    last = layers[-1]
    s = h @ last["W"].T + last["b"]
    s = s - s.max(axis=1, keepdims=True)
    e = np.exp(s)
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(n), y]).sum()
    g = p
    g[np.arange(n), y] -= 1
    g /= n                                                     # dS = (P - Y)/n
    # backward
    last["dW"] = g.T @ h                                      # TN: dW[m,d] = G[n,m]^T H[n,d]
    last["db"] = g.sum(axis=0)
    g = g @ last["W"]                                         # NN: dH[n,d] = G[n,m] W[m,d]
    for i in range(len(layers) - 2, -1, -1):
        layer = layers[i]
        h_in, shat, var, out = saved[i]
        g = g * (out > 0)                                     # ReLU backward
        sg = g.sum(axis=0)
        sgs = (g * shat).sum(axis=0)
        layer["dgamma"], layer["dbeta"] = sgs, sg
        g = (layer["gamma"] / np.sqrt(var + dtype.type(EPS))) * (g - sg / n - shat * (sgs / n))
        layer["dW"] = g.T @ h_in
        if i > 0:
            g = g @ layer["W"]
    # SGD with L2 on the weights only
    for layer in layers:
        layer["W"] -= eta * (layer["dW"] + 2 * LAMBDA * layer["W"])
        if "b" in layer:
            layer["b"] -= eta * layer["db"]
        else:
            layer["gamma"] -= eta * layer["dgamma"]
            layer["beta"] -= eta * layer["dbeta"]
    return loss


def epoch(layers, X, labels, rng, batches):
    order = rng.permutation(X.shape[0])
    eta = X.dtype.type(ETA)
    loss = 0.0
    for b in range(batches):
        idx = order[b * BATCH:(b + 1) * BATCH]
        loss += train_step(layers, X[idx], labels[idx], eta)  # X[idx] gathers the rows, as the engine does
    return loss


def time_epoch(dtype, samples, repeats, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((samples, D), dtype=np.float32).astype(dtype, copy=False)
    labels = rng.integers(0, K, samples)
    layers = make_net(rng, dtype)
    batches = samples // BATCH
    epoch(layers, X, labels, rng, min(batches, 20))           # warm-up: caches, BLAS threads
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        loss = epoch(layers, X, labels, rng, batches)
        best = min(best, time.perf_counter() - t)
        if not np.isfinite(loss):
            sys.exit(f"numpy_reference: the {np.dtype(dtype).name} epoch diverged (loss {loss})")
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="5000 samples instead of 45000")
    ap.add_argument("--samples", type=int, help="samples per epoch (overrides --quick)")
    ap.add_argument("--repeats", type=int, default=1, help="timed epochs per dtype; the best is reported")
    ap.add_argument("--threads", type=int, help="BLAS threads (set before numpy is imported)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    samples = args.samples or (5000 if args.quick else 45000)
    if samples < BATCH or args.repeats < 1 or (args.threads is not None and args.threads < 1):
        ap.error(f"--samples must be >= {BATCH}, --repeats and --threads >= 1")
    result = {}
    for name, dtype in (("f64", np.float64), ("f32", np.float32)):
        result[name] = round(time_epoch(dtype, samples, args.repeats, args.seed), 4)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
