#!/usr/bin/env python3
"""Time the lab's own TFP training code (float32) on this machine.

The lab: make_moons(10000, noise=0.05); 3 x [MAF(MADE(params=2,
hidden_units=[128,128], relu)), Permute([1,0])] in one Chain (last Permute
dropped, list reversed); Keras model whose output is log_prob, trained with
Adam(1e-3) on loss -log_prob, shuffle=True.

Here: 3 epochs instead of 80, for batch 32 and batch 256 (a fresh model
each). Epoch 1 includes tf.function tracing and is excluded; steps/s is
2 * ceil(10000 / batch) / (time of epochs 2 and 3).

Writes testdata/tfp/timing.json (or prints only with --no-write).

Usage: tools/tfpref/.venv/bin/python tools/tfpref/time_lab.py [--threads N]
  --threads N sets TF intra- and inter-op threads to N (default: TF's default,
  which is one intra-op thread per core). Results for an explicit thread
  count go under "extra" instead of replacing the default-threading figures.
"""

import argparse
import json
import math
import os
import platform
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import keras
import tensorflow as tf
import tensorflow_probability as tfp
from sklearn.datasets import make_moons

tf.get_logger().setLevel("ERROR")
tfb = tfp.bijectors
tfd = tfp.distributions
tfk = tf.keras
tfkl = tf.keras.layers

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "testdata", "tfp", "timing.json")
N = 10000
EPOCHS = 3


def build_model():
    base = tfd.MultivariateNormalDiag(loc=[0.0, 0.0])
    bijectors = []
    for _ in range(3):
        made = tfb.AutoregressiveNetwork(
            params=2, hidden_units=[128, 128], activation="relu")
        bijectors.append(tfb.MaskedAutoregressiveFlow(shift_and_log_scale_fn=made))
        bijectors.append(tfb.Permute(permutation=[1, 0]))
    flow = tfb.Chain(list(reversed(bijectors[:-1])))
    trainable = tfd.TransformedDistribution(distribution=base, bijector=flow)

    x_ = tfkl.Input(shape=(2,), dtype=tf.float32)
    log_prob_ = trainable.log_prob(x_)
    model = tfk.Model(x_, log_prob_)
    model.compile(optimizer=tf.optimizers.Adam(learning_rate=1e-3),
                  loss=lambda _, log_prob: -log_prob)
    return model


class EpochTimer(tfk.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._t0)


def time_batch(data, batch):
    tf.keras.utils.set_random_seed(0)
    model = build_model()
    nparams = int(sum(np.prod(v.shape) for v in model.trainable_variables))
    timer = EpochTimer()
    hist = model.fit(x=data, y=np.zeros((N, 0), dtype=np.float32),
                     batch_size=batch, epochs=EPOCHS, shuffle=True,
                     verbose=0, callbacks=[timer])
    steps = math.ceil(N / batch)
    timed = sum(timer.times[1:])
    sps = steps * (EPOCHS - 1) / timed
    print("batch %4d: %d params, epoch times %s s, loss %s, %.1f steps/s"
          % (batch, nparams, ["%.2f" % t for t in timer.times],
             ["%.3f" % l for l in hist.history["loss"]], sps))
    return {"steps_per_s": sps, "epoch_times_s": timer.times,
            "steps_per_epoch": steps, "loss": hist.history["loss"],
            "params": nparams}


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)

    data, _ = make_moons(N, noise=0.05)
    data = data.astype(np.float32)

    load0 = os.getloadavg()
    r32 = time_batch(data, 32)
    r256 = time_batch(data, 256)
    load1 = os.getloadavg()

    intra = tf.config.threading.get_intra_op_parallelism_threads()
    inter = tf.config.threading.get_inter_op_parallelism_threads()
    threads = ("intra_op=%d inter_op=%d (0 = TF default: one intra-op thread per "
               "core), %d CPU cores visible" % (intra, inter, os.cpu_count()))
    result = {
        "machine": "%s, %d cores, %s" % (cpu_model(), os.cpu_count(), platform.platform()),
        "tf_version": tf.__version__,
        "tfp_version": tfp.__version__,
        "keras_version": keras.__version__,
        "steps_per_s_batch32": r32["steps_per_s"],
        "steps_per_s_batch256": r256["steps_per_s"],
        "threads": threads,
        "dtype": "float32",
        "epochs_run": EPOCHS,
        "timed_epochs": "2-%d (epoch 1 includes tracing)" % EPOCHS,
        "details": {"batch32": r32, "batch256": r256},
        "loadavg_before_after": [list(load0), list(load1)],
        "note": ("shared machine, other jobs running; speed can drift by up to "
                 "~1.8x between rounds"),
    }
    print(json.dumps({k: result[k] for k in (
        "steps_per_s_batch32", "steps_per_s_batch256", "threads")}))
    if args.no_write:
        return
    if args.threads:
        # Keep the default-threading figures; add this run under "extra".
        old = {}
        if os.path.exists(OUT):
            with open(OUT) as f:
                old = json.load(f)
        old.setdefault("extra", {})["threads_%d" % args.threads] = {
            "steps_per_s_batch32": r32["steps_per_s"],
            "steps_per_s_batch256": r256["steps_per_s"],
            "threads": threads,
            "details": result["details"],
            "loadavg_before_after": result["loadavg_before_after"],
        }
        result = old
    else:
        if os.path.exists(OUT):
            with open(OUT) as f:
                extra = json.load(f).get("extra")
            if extra:
                result["extra"] = extra
    with open(OUT, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print("wrote", os.path.relpath(OUT, ROOT))


if __name__ == "__main__":
    main()
