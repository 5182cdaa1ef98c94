"""Markdown table of bench.py's JSON lines: per data set and flow, the test
NLL of nflow and zuko over the seeds (each seed, mean, worst), their
difference per dimension and the mean fit time.

    python tools/realdata/table.py results.jsonl [DATA_DIR]

With DATA_DIR, the gmm row also gives the true density's test NLL.
"""
import collections
import json
import os
import sys

DIMS = {"heavy": 6, "breast_cancer": 30, "digits": 64, "gmm": 5, "pinwheel": 2}


def num(v):
    return f"{v:.2f}" if abs(v) < 1e4 else f"{v:.1e}"


def signed(v):
    return f"{v:+.3f}" if abs(v) < 1e4 else f"{v:+.0e}"


def main():
    runs = collections.defaultdict(dict)
    for line in open(sys.argv[1]):
        r = json.loads(line)
        if "test_nll" in r:
            runs[(r["set"], r["flow"], r["lib"])][r["seed"]] = r
    true = {}
    if len(sys.argv) > 2:
        p = os.path.join(sys.argv[2], "gmm_true.txt")
        for line in open(p):
            s, v = line.split()
            true[int(s)] = float(v)
    print("| data (D) | flow | nflow test NLL, seeds | zuko test NLL, seeds | nflow − zuko per dim, mean / worst seed | fit s, nflow / zuko |")
    print("| --- | --- | --- | --- | --- | --- |")
    for (name, flow, lib) in sorted(runs):
        if lib != "nflow" or (name, flow, "zuko") not in runs:
            continue
        a, b = runs[(name, flow, "nflow")], runs[(name, flow, "zuko")]
        seeds = sorted(set(a) & set(b))
        if not seeds:
            continue
        d = DIMS.get(name, 1)
        fa = " / ".join(num(a[s]["test_nll"]) for s in seeds)
        fb = " / ".join(num(b[s]["test_nll"]) for s in seeds)
        diff = [(a[s]["test_nll"] - b[s]["test_nll"]) / d for s in seeds]
        ma = sum(a[s]["test_nll"] for s in seeds) / len(seeds)
        mb = sum(b[s]["test_nll"] for s in seeds) / len(seeds)
        worst = max(a[s]["test_nll"] for s in seeds) - max(b[s]["test_nll"] for s in seeds)
        ta = sum(a[s]["seconds"] for s in seeds) / len(seeds)
        tb = sum(b[s]["seconds"] for s in seeds) / len(seeds)
        label = f"{name} ({d})"
        if name == "gmm" and true:
            label += " true " + " / ".join(f"{true[s]:.2f}" for s in seeds if s in true)
        print(f"| {label} | {flow} | {fa} | {fb} | {signed((ma - mb) / d)} / {signed(worst / d)} | {ta:.0f} / {tb:.0f} |")


if __name__ == "__main__":
    main()
