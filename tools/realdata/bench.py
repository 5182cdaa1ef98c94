"""Real-data benchmark: nflow (through the nflow fit / logprob CLI) against
zuko with the same architecture, budget and splits. See README.md.

    python tools/realdata/bench.py --data DIR --nflow BIN [--sets heavy,digits]
        [--flows maf,nsf] [--seeds 0,1,2] [--libs nflow,zuko] [--epochs 100]
        [--nflow-args "-scale softclip"] [--out results.jsonl]

One JSON line per run goes to --out (appended) and a table to stdout.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

LAYERS, HIDDEN, BATCH, LR, VAL, PATIENCE = 5, (128, 128), 256, 1e-3, 0.1, 20


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def run_nflow(args, name, flow, seed, train, test, extra):
    with tempfile.TemporaryDirectory() as tmp:
        model, lp = os.path.join(tmp, "m.nflow"), os.path.join(tmp, "lp.csv")
        cmd = [args.nflow, "fit", "-data", train, "-flow", flow, "-layers", str(LAYERS),
               "-hidden", ",".join(map(str, HIDDEN)), "-batch", str(BATCH), "-lr", str(LR),
               "-val", str(VAL), "-patience", str(PATIENCE), "-epochs", str(args.epochs),
               "-seed", str(seed), "-out", model] + extra
        t0 = time.time()
        fit = subprocess.run(cmd, capture_output=True, text=True)
        secs = time.time() - t0
        if fit.returncode != 0:
            return {"error": fit.stderr.strip().splitlines()[-1:]}
        best = [l for l in fit.stdout.splitlines() if "best epoch" in l]
        subprocess.run([args.nflow, "logprob", "-model", model, "-data", test, "-out", lp], check=True,
                       capture_output=True)
        v = np.loadtxt(lp, skiprows=1, ndmin=1)
        return {"test_nll": float(-v.mean()), "worst": float(-v.min()), "seconds": secs,
                "epochs": best[0] if best else ""}


def robust_scale(x):
    """nflow's Standardize: the median of each column and the larger of IQR/1.349 and
    max(q99.5 - median, median - q0.5)/2.576 (sd, then 1, where that is 0)."""
    mu = np.median(x, 0)
    q0, q1, q3, q4 = np.quantile(x, [0.005, 0.25, 0.75, 0.995], axis=0)
    s = np.maximum((q3 - q1) / 1.3489795003921634, np.maximum(q4 - mu, mu - q0) / 2.5758293035489004)
    sd = x.std(0)
    tiny = 1e-12 * np.maximum(1, np.abs(mu))
    s = np.where(s > tiny, s, np.where(sd > tiny, sd, 1.0))
    return mu, s


def run_zuko(args, name, flow, seed, train, test, extra):
    import torch
    import zuko
    torch.manual_seed(seed)
    x = np.loadtxt(train, delimiter=",", ndmin=2)
    xt = np.loadtxt(test, delimiter=",", ndmin=2)
    perm = np.random.default_rng(seed).permutation(len(x))
    nval = int(round(VAL * len(x)))
    tr, va = x[perm[nval:]], x[perm[:nval]]
    mu, s = robust_scale(tr)
    logdet = float(np.log(s).sum())
    f32 = lambda a: torch.tensor((a - mu) / s, dtype=torch.float32)
    tr, va, te = f32(tr), f32(va), f32(xt)
    d = x.shape[1]
    if flow == "maf":
        model = zuko.flows.MAF(features=d, transforms=LAYERS, hidden_features=HIDDEN)
    else:
        model = zuko.flows.NSF(features=d, transforms=LAYERS, hidden_features=HIDDEN, bins=8)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    best, best_state, since = float("inf"), None, 0
    t0 = time.time()
    epochs = 0
    for epoch in range(args.epochs):
        epochs += 1
        idx = torch.randperm(len(tr))
        for i in range(0, len(tr), BATCH):
            loss = -model().log_prob(tr[idx[i:i + BATCH]]).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            v = -model().log_prob(va).mean().item()
        if v < best:
            best, since = v, 0
            best_state = {k: t.clone() for k, t in model.state_dict().items()}
        else:
            since += 1
            if since >= PATIENCE:
                break
    secs = time.time() - t0
    if best_state is not None:
        model.load_state_dict(best_state)
    with torch.no_grad():
        lp = (model().log_prob(te) - logdet).double().numpy()
    return {"test_nll": float(-lp.mean()), "worst": float(-lp.min()), "seconds": secs,
            "epochs": f"epochs {epochs}"}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--nflow", default="nflow")
    p.add_argument("--sets", default="heavy,breast_cancer,digits,gmm,pinwheel")
    p.add_argument("--flows", default="maf,nsf")
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--libs", default="nflow,zuko")
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--nflow-args", default="")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", default="")
    args = p.parse_args()
    if "zuko" in args.libs:
        import torch
        torch.set_num_threads(args.threads)
    extra = args.nflow_args.split()
    print(f"{'set':14} {'flow':4} {'lib':6} {'seed':>4} {'test NLL':>12} {'worst':>12} {'sec':>7} load  epochs")
    for name in args.sets.split(","):
        for flow in args.flows.split(","):
            for lib in args.libs.split(","):
                for seed in map(int, args.seeds.split(",")):
                    train = os.path.join(args.data, f"{name}_s{seed}_train.csv")
                    test = os.path.join(args.data, f"{name}_s{seed}_test.csv")
                    la = loadavg()
                    run = run_nflow if lib == "nflow" else run_zuko
                    r = run(args, name, flow, seed, train, test, extra)
                    r.update(set=name, flow=flow, lib=lib, seed=seed, load=la, epochs_cap=args.epochs,
                             nflow_args=args.nflow_args if lib == "nflow" else "")
                    if "error" in r:
                        print(f"{name:14} {flow:4} {lib:6} {seed:4} error {r['error']}")
                    else:
                        print(f"{name:14} {flow:4} {lib:6} {seed:4} {r['test_nll']:12.4f} {r['worst']:12.4g} "
                              f"{r['seconds']:7.1f} {la:5} {r['epochs']}", flush=True)
                    if args.out:
                        with open(args.out, "a") as f:
                            f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    sys.exit(main())
