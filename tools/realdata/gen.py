"""Writes the real-data benchmark's data sets as CSV files (train and test
splits per seed) into a folder outside the repository.

    python tools/realdata/gen.py OUT_DIR

Data sets (all float, one point per row, no header):
- heavy: 10,000 rows, 6 columns in raw units with heavy tails, a
  zero-inflated column and a few far outliers (a price-like log-normal, a
  Student-t(2), zeros or exponential, a correlated log-linear column, a
  gamma, a uniform integer dequantized): what users pass.
- breast_cancer: scikit-learn's bundled 569 x 30 table, raw units.
- digits: scikit-learn's bundled 8x8 images (1,797 x 64), dequantized
  with U(0, 1) noise (values in [0, 17)).
- gmm: a 5-D mixture of 8 Gaussians, 8,000 rows; the file gmm_true.txt
  holds the true mean NLL of each seed's test split (the best any model
  can do, up to sampling noise).
- pinwheel: the standard 2-D pinwheel density (5 arms), 8,000 rows.

Each set is shuffled with the seed and split 80 / 20 into
NAME_s{seed}_train.csv and NAME_s{seed}_test.csv.
"""
import os
import sys

import numpy as np


def heavy(rng, n=10000):
    z = rng.standard_normal((n, 2))
    price = np.exp(12 + 0.8 * z[:, 0])
    t2 = 50 + 5 * rng.standard_t(2, n)
    zi = np.where(rng.random(n) < 0.6, 0.0, rng.exponential(30, n))
    loglin = 3 * np.log(price) + 2 * z[:, 1]
    gam = rng.gamma(0.7, 200, n)
    integer = rng.integers(0, 100, n) + rng.random(n)
    x = np.column_stack([price, t2, zi, loglin, gam, integer])
    # A few rows far out, as real tables have (entry errors, extremes).
    far = rng.choice(n, 8, replace=False)
    x[far, 0] *= 50
    return x


def breast_cancer(rng):
    from sklearn.datasets import load_breast_cancer
    return load_breast_cancer().data.astype(float)


def digits(rng):
    from sklearn.datasets import load_digits
    x = load_digits().data.astype(float)
    return x + rng.random(x.shape)


GMM_K, GMM_D = 8, 5


def gmm_params():
    r = np.random.default_rng(1234)
    means = r.uniform(-6, 6, (GMM_K, GMM_D))
    scales = r.uniform(0.3, 1.2, (GMM_K, GMM_D))
    weights = r.dirichlet(np.full(GMM_K, 3.0))
    return means, scales, weights


def gmm_logpdf(x):
    means, scales, weights = gmm_params()
    z = (x[:, None, :] - means[None]) / scales[None]
    comp = -0.5 * (z ** 2).sum(-1) - np.log(scales).sum(-1)[None] - 0.5 * GMM_D * np.log(2 * np.pi)
    a = comp + np.log(weights)[None]
    m = a.max(1, keepdims=True)
    return (m + np.log(np.exp(a - m).sum(1, keepdims=True)))[:, 0]


def gmm(rng, n=8000):
    means, scales, weights = gmm_params()
    k = rng.choice(GMM_K, n, p=weights)
    return means[k] + scales[k] * rng.standard_normal((n, GMM_D))


def pinwheel(rng, n=8000, arms=5):
    # The pinwheel of Johnson et al. (2016), radial 0.3, tangential 0.05, rate 0.25.
    rads = np.linspace(0, 2 * np.pi, arms, endpoint=False)
    f = rng.standard_normal((n, 2)) * np.array([0.3, 0.05])
    f[:, 0] += 1
    labels = rng.integers(0, arms, n)
    angles = rads[labels] + 0.25 * np.exp(f[:, 0])
    rot = np.stack([np.cos(angles), -np.sin(angles), np.sin(angles), np.cos(angles)], 1).reshape(-1, 2, 2)
    return 2 * np.einsum("ti,tij->tj", f, rot)


SETS = {"heavy": heavy, "breast_cancer": breast_cancer, "digits": digits, "gmm": gmm, "pinwheel": pinwheel}


def main():
    out = sys.argv[1]
    seeds = [int(s) for s in sys.argv[2].split(",")] if len(sys.argv) > 2 else [0, 1, 2]
    os.makedirs(out, exist_ok=True)
    true = []
    for name, make in SETS.items():
        x = make(np.random.default_rng(2026))  # one data set; the seed picks the split
        for s in seeds:
            perm = np.random.default_rng(s).permutation(len(x))
            ntr = int(round(0.8 * len(x)))
            tr, te = x[perm[:ntr]], x[perm[ntr:]]
            np.savetxt(os.path.join(out, f"{name}_s{s}_train.csv"), tr, delimiter=",", fmt="%.9g")
            np.savetxt(os.path.join(out, f"{name}_s{s}_test.csv"), te, delimiter=",", fmt="%.9g")
            if name == "gmm":
                true.append(f"{s} {-gmm_logpdf(te).mean():.6f}")
    with open(os.path.join(out, "gmm_true.txt"), "w") as f:
        f.write("\n".join(true) + "\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
