"""Log-densities far from the data: fits nflow models on one training file
with the given flag sets, then prints the largest NLL over 64 random
directions at distances t (in robust units: median + t·(IQR/1.349)·u, u a
unit vector) for each.

    python tools/realdata/far.py NFLOW_BIN TRAIN.csv "FLAGS A" "FLAGS B" ...
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

DIST = [1, 10, 100, 1e3, 1e4, 1e5]


def main():
    nflow, train = sys.argv[1], sys.argv[2]
    x = np.loadtxt(train, delimiter=",", ndmin=2)
    mu = np.median(x, 0)
    q1, q3 = np.quantile(x, [0.25, 0.75], axis=0)
    s = np.where(q3 > q1, (q3 - q1) / 1.349, x.std(0) + 1e-12)
    u = np.random.default_rng(0).standard_normal((64, x.shape[1]))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    print("flags".ljust(40), " ".join(f"{'t=%g' % t:>10}" for t in DIST))
    with tempfile.TemporaryDirectory() as tmp:
        far = os.path.join(tmp, "far.csv")
        np.savetxt(far, np.concatenate([mu + t * s * u for t in DIST]), delimiter=",", fmt="%.9g")
        for flags in sys.argv[3:]:
            model, lp = os.path.join(tmp, "m.nflow"), os.path.join(tmp, "lp.csv")
            subprocess.run([nflow, "fit", "-data", train, "-out", model, "-layers", "5", "-batch", "256",
                            "-patience", "20", "-epochs", "60"] + flags.split(), check=True, capture_output=True)
            subprocess.run([nflow, "logprob", "-model", model, "-data", far, "-out", lp], check=True,
                           capture_output=True)
            v = -np.loadtxt(lp, skiprows=1).reshape(len(DIST), -1)
            print(flags.ljust(40), " ".join(f"{m:10.3g}" for m in v.max(1)), flush=True)


if __name__ == "__main__":
    main()
