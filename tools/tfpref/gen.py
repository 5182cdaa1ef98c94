#!/usr/bin/env python3
"""Generate TensorFlow Probability reference values for the Go parity tests.

Writes (relative to the repository root):
  testdata/tfp/made.json       MADE input/hidden degrees and masks
  testdata/tfp/bijectors.json  forward / inverse / log-det-Jacobians
  testdata/tfp/maf.json        a 3-layer MAF chain, weights and outputs
  testdata/tfp/mvn.json        MultivariateNormalDiag log_prob

Everything is computed in float64 and written with Python's shortest
round-trip float repr, so the Go side can compare to ~1e-12.

Run with the venv from setup.sh:  tools/tfpref/.venv/bin/python tools/tfpref/gen.py
"""

import json
import math
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp
from tensorflow_probability.python.bijectors import masked_autoregressive as tfp_ma

tf.get_logger().setLevel("ERROR")

tfb = tfp.bijectors
tfd = tfp.distributions

F64 = tf.float64
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(ROOT, "testdata", "tfp")


# --------------------------------------------------------------------------
# helpers


def to_list(a):
    """numpy -> nested Python lists of float/int (floats keep full precision)."""
    a = np.asarray(a)
    if a.dtype == np.bool_:
        return a.astype(np.int64).tolist()
    if np.issubdtype(a.dtype, np.floating):
        if not np.all(np.isfinite(a)):
            raise ValueError("non-finite value in export: %r" % (a,))
        return a.astype(np.float64).tolist()
    return a.tolist()


def write_json(name, obj):
    path = os.path.join(OUT_DIR, name)
    # json.dumps writes Python floats with repr(), the shortest string that
    # round-trips exactly to the same float64.
    text = json.dumps(obj, indent=1, allow_nan=False)
    with open(path, "w") as f:
        f.write(text + "\n")
    print("wrote %s (%d bytes)" % (os.path.relpath(path, ROOT), len(text) + 1))


def assert_close(a, b, tol, what):
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    if a.shape != b.shape:
        raise AssertionError("%s: shape %s != %s" % (what, a.shape, b.shape))
    err = np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b))) if a.size else 0.0
    if not err <= tol:
        raise AssertionError("%s: max rel err %g > %g" % (what, err, tol))


# --------------------------------------------------------------------------
# MADE degrees and masks


def hidden_degrees_formula(D, units, prev):
    """reference.md: unit k=1..H gets max(min(min(prev), D-1), ceil(k(D-1)/(H+1)))."""
    lo = min(min(prev), D - 1)
    # integer ceiling, no floats
    return [max(lo, -((-k * (D - 1)) // (units + 1))) for k in range(1, units + 1)]


def masks_formula(input_deg, hidden_degs, P):
    degs = [list(input_deg)] + [list(h) for h in hidden_degs]
    masks = []
    for a, b in zip(degs[:-1], degs[1:]):
        masks.append([[1 if da <= db else 0 for db in b] for da in a])
    last = degs[-1]
    D = len(input_deg)
    masks.append([[1 if dh < input_deg[c // P] else 0 for c in range(D * P)]
                  for dh in last])
    return masks


MADE_CASES = [
    # name, D, P, hidden, input_order (str | list), random seed (for 'random')
    ("d3_h4_p2_l2r_reference", 3, 2, [4], "left-to-right", None),
    ("d3_h4_p1_l2r", 3, 1, [4], "left-to-right", None),
    ("d2_h8x8_p2_l2r", 2, 2, [8, 8], "left-to-right", None),
    ("d2_h4_p1_r2l", 2, 1, [4], "right-to-left", None),
    ("d2_h16_p2_r2l", 2, 2, [16], "right-to-left", None),
    ("d3_h5x7_p2_explicit_213", 3, 2, [5, 7], [2, 1, 3], None),
    ("d3_h3_p1_r2l", 3, 1, [3], "right-to-left", None),
    ("d3_h10x10x10_p2_l2r", 3, 2, [10, 10, 10], "left-to-right", None),
    ("d5_h3_p2_l2r_fewer_units", 5, 2, [3], "left-to-right", None),
    ("d5_h3x3_p1_r2l_fewer_units", 5, 1, [3, 3], "right-to-left", None),
    ("d5_h16_p2_r2l", 5, 2, [16], "right-to-left", None),
    ("d5_h5x7_p2_explicit", 5, 2, [5, 7], [3, 5, 1, 4, 2], None),
    ("d5_h10x10x10_p1_explicit", 5, 1, [10, 10, 10], [2, 4, 1, 5, 3], None),
    ("d5_h8x8_p2_random_seed7", 5, 2, [8, 8], "random", 7),
    ("d8_h16_p2_l2r", 8, 2, [16], "left-to-right", None),
    ("d8_h3_p1_l2r_fewer_units", 8, 1, [3], "left-to-right", None),
    ("d8_h8x8_p2_r2l", 8, 2, [8, 8], "right-to-left", None),
    ("d8_h10x10x10_p2_explicit", 8, 2, [10, 10, 10], [5, 2, 8, 1, 7, 3, 6, 4], None),
    ("d8_h16x16_p1_random_seed3", 8, 1, [16, 16], "random", 3),
    ("d8_h5x7_p2_random_seed11", 8, 2, [5, 7], "random", 11),
]


def gen_made():
    cases = []
    for name, D, P, hidden, order, seed in MADE_CASES:
        if order == "random":
            # AutoregressiveNetwork.build() calls _create_input_order without a
            # seed, so a 'random' order draws from the global numpy RNG.
            np.random.seed(seed)
            order_param = "random"
        else:
            order_param = order
        made = tfb.AutoregressiveNetwork(
            params=P, event_shape=[D], hidden_units=hidden,
            input_order=order_param, hidden_degrees="equal",
            activation="relu", dtype=F64)
        x = tf.constant(np.random.RandomState(0).normal(size=(3, D)), F64)
        out = made(x)  # builds the network
        assert out.shape == (3, D, P), out.shape

        input_deg = np.asarray(made._input_order).astype(np.int64)
        masks = [np.asarray(m).astype(np.int64) for m in made._masks]

        # Degrees from TFP's own helper, for the order TFP chose.
        degrees = tfp_ma._create_degrees(
            input_size=D, hidden_units=hidden, input_order=input_deg,
            hidden_degrees="equal")
        degrees = [np.asarray(d).astype(np.int64) for d in degrees]
        assert np.array_equal(degrees[0], input_deg)
        hidden_deg = degrees[1:]

        # Cross-check 1: masks from the public-ish helper with the same order.
        masks2 = tfp_ma._make_dense_autoregressive_masks(
            params=P, event_size=D, hidden_units=hidden,
            input_order=input_deg, hidden_degrees="equal")
        assert len(masks2) == len(masks) == len(hidden) + 1
        for m, m2 in zip(masks, masks2):
            assert np.array_equal(m, np.asarray(m2).astype(np.int64)), name

        # Cross-check 2: reference.md's formulas.
        prev = list(input_deg)
        for h, units in zip(hidden_deg, hidden):
            f = hidden_degrees_formula(D, units, prev)
            assert list(h) == f, (name, list(h), f)
            prev = f
        fm = masks_formula(list(input_deg), [list(h) for h in hidden_deg], P)
        for m, m2 in zip(masks, fm):
            assert m.tolist() == m2, name

        # Cross-check 3: shapes [in, out] and the Keras kernels really are
        # [in, out] and zero where masked.
        sizes = [D] + list(hidden) + [D * P]
        dense = [l for l in made._network.layers
                 if isinstance(l, tf.keras.layers.Dense)]
        assert len(dense) == len(masks)
        for k, (m, layer) in enumerate(zip(masks, dense)):
            assert m.shape == (sizes[k], sizes[k + 1]), (name, k, m.shape)
            kern = layer.kernel.numpy()
            assert kern.shape == m.shape
            assert np.all(kern[m == 0] == 0.0), (name, k)

        # Cross-check 4: autoregressive property via the Jacobian.
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = made(x)
        jac = tape.batch_jacobian(y, x).numpy()  # [N, D, P, D]
        for e in range(D):
            for j in range(D):
                if input_deg[j] >= input_deg[e]:
                    assert np.all(jac[:, e, :, j] == 0.0), (name, e, j)

        if order == "random":
            input_order_out, explicit = "explicit", [int(v) for v in input_deg]
        elif isinstance(order, list):
            input_order_out, explicit = "explicit", list(order)
        else:
            input_order_out, explicit = order, None

        case = {
            "name": name,
            "event_size": D,
            "params": P,
            "hidden_units": list(hidden),
            "input_order": input_order_out,
            "explicit_order": explicit,
            "hidden_degrees": "equal",
            "input_degrees": to_list(input_deg),
            "hidden_layer_degrees": [to_list(h) for h in hidden_deg],
            "masks": [to_list(m) for m in masks],
        }
        if order == "random":
            case["note"] = ("TFP input_order='random' with np.random.seed(%d) "
                            "before build(); order read back from TFP" % seed)
        cases.append(case)

    # The worked example in reference.md.
    ref = cases[0]
    assert ref["hidden_layer_degrees"] == [[1, 1, 2, 2]]
    assert ref["masks"][0] == [[1, 1, 1, 1], [0, 0, 1, 1], [0, 0, 0, 0]]
    assert ref["masks"][1] == [[0, 0, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1],
                               [0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 1, 1]]
    write_json("made.json", {
        "tfp_version": tfp.__version__,
        "tf_version": tf.__version__,
        "cases": cases,
    })


# --------------------------------------------------------------------------
# bijectors


def build_bijector(spec):
    t = spec["type"]
    c = lambda v: tf.constant(v, F64)
    if t == "shift":
        return tfb.Shift(c(spec["shift"]))
    if t == "scale":
        if "scale" in spec:
            return tfb.Scale(scale=c(spec["scale"]))
        return tfb.Scale(log_scale=c(spec["log_scale"]))
    if t == "scale_matvec_diag":
        return tfb.ScaleMatvecDiag(scale_diag=c(spec["scale_diag"]))
    if t == "permute":
        return tfb.Permute(permutation=spec["permutation"])
    if t == "exp":
        return tfb.Exp()
    if t == "sigmoid":
        return tfb.Sigmoid()
    if t == "tanh":
        return tfb.Tanh()
    if t == "softplus":
        return tfb.Softplus()
    if t == "chain":
        return tfb.Chain([build_bijector(s) for s in spec["bijectors"]])
    if t == "invert":
        return tfb.Invert(build_bijector(spec["bijector"]))
    raise ValueError(t)


def np_forward(spec, x):
    """Independent numpy model of each spec, used as a sanity check."""
    t = spec["type"]
    if t == "shift":
        return x + np.asarray(spec["shift"]), np.zeros(len(x))
    if t == "scale":
        s = np.asarray(spec["scale"]) if "scale" in spec else np.exp(spec["log_scale"])
        return x * s, np.full(len(x), np.sum(np.log(np.abs(s))))
    if t == "scale_matvec_diag":
        s = np.asarray(spec["scale_diag"])
        return x * s, np.full(len(x), np.sum(np.log(np.abs(s))))
    if t == "permute":
        return x[:, spec["permutation"]], np.zeros(len(x))
    if t == "exp":
        return np.exp(x), np.sum(x, axis=1)
    if t == "sigmoid":
        y = 1 / (1 + np.exp(-x))
        return y, np.sum(np.log(y) + np.log1p(-y), axis=1)
    if t == "tanh":
        return np.tanh(x), np.sum(np.log1p(-np.tanh(x) ** 2), axis=1)
    if t == "softplus":
        return np.logaddexp(0, x), np.sum(-np.logaddexp(0, -x), axis=1)
    if t == "chain":
        ld = np.zeros(len(x))
        for s in reversed(spec["bijectors"]):
            x, l = np_forward(s, x)
            ld = ld + l
        return x, ld
    if t == "invert":
        return None, None  # checked through TFP round trips only
    raise ValueError(t)


def gen_bijectors():
    rng = np.random.RandomState(1234)
    N = 4

    def normal(D, s=1.5):
        return rng.normal(scale=s, size=(N, D))

    specs = [
        ("lab_shift_scale", {"type": "chain", "bijectors": [
            {"type": "shift", "shift": [0.5, 0.25]},
            {"type": "scale", "scale": [1.0, 0.5]}]}, normal(2)),
        ("shift_d3", {"type": "shift", "shift": [0.5, -1.25, 3.0]}, normal(3)),
        ("scale_d3", {"type": "scale", "scale": [2.0, 0.5, -1.5]}, normal(3)),
        ("scale_log_scale_d3", {"type": "scale", "log_scale": [0.3, -0.7, 1.1]}, normal(3)),
        ("scale_matvec_diag_d3", {"type": "scale_matvec_diag",
                                  "scale_diag": [1.5, 0.25, 3.0]}, normal(3)),
        ("permute_d3", {"type": "permute", "permutation": [2, 0, 1]}, normal(3)),
        ("permute_d5", {"type": "permute", "permutation": [3, 0, 4, 1, 2]}, normal(5)),
        ("permute_d2_swap", {"type": "permute", "permutation": [1, 0]}, normal(2)),
        ("chain_shift_scale_permute_d3", {"type": "chain", "bijectors": [
            {"type": "shift", "shift": [0.1, -0.2, 0.3]},
            {"type": "permute", "permutation": [1, 2, 0]},
            {"type": "scale", "scale": [2.0, 0.5, 1.25]}]}, normal(3)),
        ("exp_d3", {"type": "exp"}, normal(3, 1.0)),
        ("sigmoid_d3", {"type": "sigmoid"}, normal(3, 2.0)),
        ("tanh_d3", {"type": "tanh"}, normal(3, 1.0)),
        ("softplus_d3", {"type": "softplus"}, normal(3, 2.0)),
        ("invert_exp_d3", {"type": "invert", "bijector": {"type": "exp"}},
         rng.uniform(0.1, 4.0, size=(N, 3))),
        ("invert_sigmoid_d3", {"type": "invert", "bijector": {"type": "sigmoid"}},
         rng.uniform(0.05, 0.95, size=(N, 3))),
        ("invert_tanh_d3", {"type": "invert", "bijector": {"type": "tanh"}},
         rng.uniform(-0.9, 0.9, size=(N, 3))),
        ("invert_softplus_d3", {"type": "invert", "bijector": {"type": "softplus"}},
         rng.uniform(0.1, 4.0, size=(N, 3))),
        ("invert_lab_shift_scale", {"type": "invert", "bijector": {
            "type": "chain", "bijectors": [
                {"type": "shift", "shift": [0.5, 0.25]},
                {"type": "scale", "scale": [1.0, 0.5]}]}}, normal(2)),
        ("chain_shift_tanh_scale_d2", {"type": "chain", "bijectors": [
            {"type": "shift", "shift": [1.0, -2.0]},
            {"type": "tanh"},
            {"type": "scale", "log_scale": [0.5, -0.25]}]}, normal(2, 1.0)),
        ("chain_scale_exp_permute_d3", {"type": "chain", "bijectors": [
            {"type": "scale", "scale": [0.5, 2.0, -1.0]},
            {"type": "exp"},
            {"type": "permute", "permutation": [2, 1, 0]}]}, normal(3, 1.0)),
    ]

    cases = []
    for name, spec, x in specs:
        x = np.asarray(x, np.float64)
        b = build_bijector(spec)
        y = b.forward(tf.constant(x, F64)).numpy()
        fldj = b.forward_log_det_jacobian(tf.constant(x, F64), event_ndims=1).numpy()
        # Fresh bijector and fresh tensors so TFP's forward/inverse cache
        # cannot hand back x.
        b2 = build_bijector(spec)
        xr = b2.inverse(tf.constant(y, F64)).numpy()
        ildj = b2.inverse_log_det_jacobian(tf.constant(y, F64), event_ndims=1).numpy()
        fldj = np.broadcast_to(fldj, (N,)).copy()  # constant-Jacobian ones give a scalar
        ildj = np.broadcast_to(ildj, (N,)).copy()
        assert_close(xr, x, 1e-12, name + " inverse(forward(x))")
        assert_close(ildj, -fldj, 1e-12, name + " ildj = -fldj")
        ny, nl = np_forward(spec, x)
        if ny is not None:
            assert_close(y, ny, 1e-12, name + " numpy forward")
            assert_close(fldj, nl, 1e-10, name + " numpy fldj")
        cases.append({"name": name, "bijector": spec, "x": to_list(x),
                      "y": to_list(y), "fldj": to_list(fldj), "ildj": to_list(ildj)})
    write_json("bijectors.json", {
        "tfp_version": tfp.__version__,
        "tf_version": tf.__version__,
        "cases": cases,
    })


# --------------------------------------------------------------------------
# MAF


def np_made(x, kernels, biases, masks, P):
    h = x
    L = len(kernels)
    for k in range(L):
        h = h @ (kernels[k] * masks[k]) + biases[k]
        if k + 1 < L:
            h = np.maximum(h, 0.0)
    D = x.shape[-1]
    return h.reshape(h.shape[:-1] + (D, P))  # column e*P + p -> [e, p]


def np_maf_inverse(y, w):
    out = np_made(y, w["kernels"], w["biases"], w["masks"], 2)
    shift, log_scale = out[..., 0], out[..., 1]
    return (y - shift) * np.exp(-log_scale), -np.sum(log_scale, axis=-1)


def np_maf_forward(x, w):
    y = np.zeros_like(x)
    for _ in range(x.shape[-1]):
        out = np_made(y, w["kernels"], w["biases"], w["masks"], 2)
        y = x * np.exp(out[..., 1]) + out[..., 0]
    out = np_made(y, w["kernels"], w["biases"], w["masks"], 2)
    return y, np.sum(out[..., 1], axis=-1)


def gen_maf():
    from sklearn.datasets import make_moons

    tf.keras.utils.set_random_seed(20240601)  # seeds python, numpy and TF
    D, HIDDEN = 2, [8, 8]
    names = ["maf0", "maf1", "maf2"]
    mades, bijectors = {}, []
    for i in range(3):
        made = tfb.AutoregressiveNetwork(
            params=2, event_shape=[D], hidden_units=HIDDEN, activation="relu",
            dtype=F64)
        mades[names[i]] = made
        bijectors.append(tfb.MaskedAutoregressiveFlow(
            shift_and_log_scale_fn=made, name=names[i]))
        bijectors.append(tfb.Permute([1, 0]))
    chain_list = list(reversed(bijectors[:-1]))  # exactly as the lab does
    chain_order = [b.name if isinstance(b, tfb.MaskedAutoregressiveFlow)
                   else "permute" for b in chain_list]
    assert chain_order == ["maf2", "permute", "maf1", "permute", "maf0"], chain_order
    flow = tfb.Chain(chain_list)

    # Build every MADE (TFP's masked glorot-uniform init, zero biases), then
    # give the biases small nonzero values.
    brng = np.random.RandomState(7)
    weights = {}
    for n in names:
        made = mades[n]
        made(tf.zeros([1, D], F64))
        dense = [l for l in made._network.layers
                 if isinstance(l, tf.keras.layers.Dense)]
        masks = [np.asarray(m).astype(np.float64) for m in made._masks]
        kernels, biases = [], []
        for layer, m in zip(dense, masks):
            k = layer.kernel.numpy()
            b = layer.bias.numpy()
            assert np.all(b == 0.0)
            assert k.shape == m.shape and np.all(k[m == 0] == 0.0), \
                "TFP stores kernels pre-masked"
            b = brng.normal(scale=0.1, size=b.shape)
            layer.bias.assign(b)
            kernels.append(layer.kernel.numpy())  # raw stored value
            biases.append(layer.bias.numpy())
        weights[n] = {"kernels": kernels, "biases": biases, "masks": masks}

    # Data-space points (moons) and base-space points.
    x, _ = make_moons(8, noise=0.05, random_state=3)
    x = x.astype(np.float64)
    base_z = np.random.RandomState(5).normal(size=(8, D))

    z = flow.inverse(tf.constant(x, F64)).numpy()
    ildj = flow.inverse_log_det_jacobian(tf.constant(x, F64), event_ndims=1).numpy()
    fwd = flow.forward(tf.constant(base_z, F64)).numpy()
    fldj = flow.forward_log_det_jacobian(tf.constant(base_z, F64), event_ndims=1).numpy()
    dist = tfd.TransformedDistribution(
        distribution=tfd.MultivariateNormalDiag(loc=tf.constant([0.0, 0.0], F64)),
        bijector=flow)
    log_prob = dist.log_prob(tf.constant(x, F64)).numpy()

    # Cross-check against the raw MADE layer outputs.
    for n in names:
        w = weights[n]
        pts = np.random.RandomState(9).normal(size=(5, D))
        tfp_out = mades[n](tf.constant(pts, F64)).numpy()
        assert_close(np_made(pts, w["kernels"], w["biases"], w["masks"], 2),
                     tfp_out, 1e-12, n + " made")
        # Unmasked raw kernel gives the same (kernels are stored masked).
        assert_close(np_made(pts, w["kernels"], w["biases"],
                             [np.ones_like(m) for m in w["masks"]], 2),
                     tfp_out, 1e-12, n + " made raw")

    # numpy re-implementation of the whole chain.
    perm = np.array([1, 0])

    def np_inverse(y):
        tot = np.zeros(len(y))
        for b in chain_order:  # inverse applies the list first-to-last
            if b == "permute":
                y = y[:, np.argsort(perm)]
            else:
                y, l = np_maf_inverse(y, weights[b])
                tot += l
        return y, tot

    def np_forward_chain(x0):
        tot = np.zeros(len(x0))
        for b in reversed(chain_order):  # forward applies last-to-first
            if b == "permute":
                x0 = x0[:, perm]
            else:
                x0, l = np_maf_forward(x0, weights[b])
                tot += l
        return x0, tot

    nz, nildj = np_inverse(x)
    assert_close(z, nz, 1e-12, "maf z")
    assert_close(ildj, nildj, 1e-12, "maf ildj")
    nf, nfldj = np_forward_chain(base_z)
    assert_close(fwd, nf, 1e-12, "maf forward")
    assert_close(fldj, nfldj, 1e-12, "maf fldj")
    nlp = -0.5 * np.sum(nz ** 2, axis=1) - D * 0.5 * math.log(2 * math.pi) + nildj
    assert_close(log_prob, nlp, 1e-12, "maf log_prob")
    # Round trips through TFP with fresh tensors.
    assert_close(flow.forward(tf.constant(z, F64)).numpy(), x, 1e-10, "maf fwd(inv(x))")
    assert_close(fldj, -flow.inverse_log_det_jacobian(tf.constant(fwd, F64),
                                                      event_ndims=1).numpy(),
                 1e-10, "maf fldj vs ildj")

    kernel_note = (
        "TFP's AutoregressiveNetwork uses plain tf.keras.layers.Dense layers with "
        "kernel_initializer=mask*glorot_uniform and kernel_constraint=mask*W; call() "
        "does NOT multiply by the mask. So the stored kernel is already zero at "
        "masked positions (after init, and after every optimizer step via the "
        "constraint). The exported kernels are the raw stored values and are "
        "therefore already masked; y = act(x (W*M) + b) and y = act(x W + b) agree. "
        "Kernels are [in, out] (y = x W + b); the last layer's output column "
        "e*2 + p is parameter p (0 = shift, 1 = log_scale) of feature e.")

    made_out = {}
    for n in names:
        w = weights[n]
        made_out[n] = {
            "kernels": [to_list(k) for k in w["kernels"]],
            "biases": [to_list(b) for b in w["biases"]],
            "masks": [to_list(m.astype(np.int64)) for m in w["masks"]],
        }
    write_json("maf.json", {
        "tfp_version": tfp.__version__,
        "tf_version": tf.__version__,
        "event_size": D,
        "hidden_units": HIDDEN,
        "activation": "relu",
        "chain_order": chain_order,
        "permutation": perm.tolist(),
        "kernel_note": kernel_note,
        "made": made_out,
        "x": to_list(x),
        "z": to_list(z),
        "ildj": to_list(ildj),
        "base_z": to_list(base_z),
        "forward": to_list(fwd),
        "fldj": to_list(fldj),
        "log_prob": to_list(log_prob),
    })


# --------------------------------------------------------------------------
# MultivariateNormalDiag


def gen_mvn():
    rng = np.random.RandomState(42)
    specs = [
        ("d1", [0.0], [1.0], 4),
        ("d1_shifted", [1.5], [0.3], 4),
        ("d2_standard", [0.0, 0.0], [1.0, 1.0], 5),
        ("d2", [0.5, -0.25], [2.0, 0.5], 5),
        ("d3", [1.0, -2.0, 0.5], [0.7, 1.3, 2.5], 5),
    ]
    cases = []
    for name, loc, sd, n in specs:
        D = len(loc)
        x = np.asarray(loc) + rng.normal(scale=2.0, size=(n, D))
        d = tfd.MultivariateNormalDiag(loc=tf.constant(loc, F64),
                                       scale_diag=tf.constant(sd, F64))
        lp = d.log_prob(tf.constant(x, F64)).numpy()
        u = (x - np.asarray(loc)) / np.asarray(sd)
        nlp = (-0.5 * np.sum(u ** 2, axis=1) - np.sum(np.log(sd))
               - 0.5 * D * math.log(2 * math.pi))
        assert_close(lp, nlp, 1e-12, "mvn " + name)
        cases.append({"name": name, "loc": [float(v) for v in loc],
                      "scale_diag": [float(v) for v in sd],
                      "x": to_list(x), "log_prob": to_list(lp)})
    write_json("mvn.json", {
        "tfp_version": tfp.__version__,
        "tf_version": tf.__version__,
        "cases": cases,
    })


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    tf.keras.backend.set_floatx("float64")
    gen_made()
    gen_bijectors()
    gen_maf()
    gen_mvn()
    print("tf %s, tfp %s: all checks passed" % (tf.__version__, tfp.__version__))


if __name__ == "__main__":
    sys.exit(main())
