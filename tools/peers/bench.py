#!/usr/bin/env python3
"""nflow against PyTorch normalizing-flow peers (zuko, nflows) on CPU, interleaved.

Figures (issue 10's table): the lab model (D=2, MADE [128, 128], 3 MAFs) trained at
batch 32, 256 and 4096, its log_prob and sampling at 4096; the wide model (D=64,
MADE [1024, 1024], 5 MAFs) trained at 4096 and sampled at 256. For each figure, in
turn: nflow (cmd/bench, its own process, both CPUs), then each peer at torch threads
1 and 2, repeated --reps times; /proc/loadavg is read before and after every
measurement, and the steal time of /proc/stat over it (CPU time the host gave
to other guests, which the load average does not show), since a shared
machine's load changes what any figure means.

Each peer measurement: a warm-up call and WARMUP_S of calls, then the median of
ROUNDS rounds of about ROUND_S each. Output: a table on stdout and results.json.
"""
import argparse, json, os, platform, statistics, subprocess, sys, tempfile, time
from datetime import datetime, timezone
from importlib.metadata import version

import numpy as np
import torch

WARMUP_S, ROUND_S, ROUNDS = 0.3, 1.0, 3

MODELS = {"lab": dict(d=2, hidden=128, layers=3), "wide": dict(d=64, hidden=1024, layers=5)}
FIGURES = [("lab", "train", 32), ("lab", "train", 256), ("lab", "train", 4096),
           ("lab", "log_prob", 4096), ("lab", "sample", 4096),
           ("wide", "train", 4096), ("wide", "sample", 256)]
UNITS = {"train": "steps/s", "log_prob": "points/s", "sample": "samples/s"}
NFLOW_KEY = {"train": "train_steps_per_s", "log_prob": "log_prob_points_per_s", "sample": "sample_samples_per_s"}


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return f.read().strip()
    except OSError:
        return "unknown"


def make_moons(n=10000, noise=0.05, seed=0):
    rng = np.random.default_rng(seed)
    n_out = n // 2
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n - n_out)
    x = np.concatenate([np.cos(t_out), 1 - np.cos(t_in)])
    y = np.concatenate([np.sin(t_out), 1 - np.sin(t_in) - 0.5])
    pts = np.stack([x, y], 1) + rng.normal(scale=noise, size=(n, 2))
    return torch.from_numpy(pts[rng.permutation(n)].astype(np.float32))


def dataset(name):
    if name == "lab":
        return make_moons()
    return torch.from_numpy(np.random.default_rng(0).normal(size=(16384, MODELS[name]["d"])).astype(np.float32))


def zuko_model(d, hidden, layers):
    import zuko
    flow = zuko.flows.MAF(features=d, transforms=layers, hidden_features=(hidden, hidden))
    return flow, (lambda x: flow().log_prob(x)), (lambda n: flow().sample((n,)))


def nflows_model(d, hidden, layers):
    from nflows.distributions.normal import StandardNormal
    from nflows.flows.base import Flow
    from nflows.transforms.autoregressive import MaskedAffineAutoregressiveTransform
    from nflows.transforms.base import CompositeTransform
    from nflows.transforms.permutations import ReversePermutation
    ts = []
    for i in range(layers):
        if i > 0:
            ts.append(ReversePermutation(features=d))
        # in->hidden, one block hidden->hidden, hidden->out: two hidden layers
        ts.append(MaskedAffineAutoregressiveTransform(features=d, hidden_features=hidden, num_blocks=1,
                                                      use_residual_blocks=False, activation=torch.nn.functional.relu))
    flow = Flow(CompositeTransform(ts), StandardNormal([d]))
    return flow, flow.log_prob, flow.sample


PEERS = {"zuko": zuko_model, "nflows": nflows_model}


def rate(fn, items_per_call):
    """A warm-up call and WARMUP_S of calls, then the median of ROUNDS rates over ~ROUND_S each."""
    fn()
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < WARMUP_S:
        fn()
    rates = []
    for _ in range(ROUNDS):
        n, t0 = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            dt = time.perf_counter() - t0
            if dt >= ROUND_S:
                break
        rates.append(n * items_per_call / dt)
    return statistics.median(rates)


def peer_figure(built, data, kind, batch):
    flow, log_prob, sample, opt = built
    if kind == "train":
        state = {"i": 0}

        def step():
            i = state["i"] if state["i"] + batch <= len(data) else 0
            state["i"] = i + batch
            loss = -log_prob(data[i:i + batch]).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        return rate(step, 1)
    with torch.no_grad():
        if kind == "log_prob":
            x = data[:batch]
            return rate(lambda: log_prob(x), batch)
        return rate(lambda: sample(batch), batch)


def nflow_figure(binary, model, kind, batch):
    cmd = [binary, "-model", model, "-batch", str(batch), "-only", kind, "-json",
           "-rounds", str(ROUNDS), "-seconds", str(ROUND_S)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])[NFLOW_KEY[kind]]


def cpu_ticks():
    """(steal, total) jiffies of all CPUs from /proc/stat: time the hypervisor
    gave to other guests shows as steal, which the load average misses."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return v[7] if len(v) > 7 else 0, sum(v[:8])
    except (OSError, ValueError):
        return 0, 0


def measured(fn):
    before, (s0, t0) = loadavg(), cpu_ticks()
    value = fn()
    s1, t1 = cpu_ticks()
    return {"value": value, "load_before": before, "load_after": loadavg(),
            "steal_fraction": (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0}


def main():
    global ROUND_S, ROUNDS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1, help="interleaved repetitions of each figure")
    ap.add_argument("--round-s", type=float, default=ROUND_S)
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument("--figures", default="all", help="comma-separated indices into the figure list (0-6), or all")
    ap.add_argument("--nflow", default="", help="a built cmd/bench binary (default: go build it)")
    args = ap.parse_args()
    ROUND_S, ROUNDS = args.round_s, args.rounds
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    binary = args.nflow
    if not binary:
        binary = os.path.join(tempfile.mkdtemp(), "nflow-bench")
        subprocess.run(["go", "build", "-o", binary, "./cmd/bench"], cwd=root, check=True)
    figures = FIGURES if args.figures == "all" else [FIGURES[int(i)] for i in args.figures.split(",")]
    machine = f"{platform.machine()}, {os.cpu_count()} logical CPUs"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                machine = f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} logical CPUs"
                break
    except OSError:
        pass
    out = {"timestamp_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "machine": machine,
           "python": sys.version.split()[0], "torch": torch.__version__, "zuko": version("zuko"),
           "nflows": version("nflows"), "method": f"per figure, interleaved x{args.reps}: nflow, then each peer at "
           f"torch threads 1 and 2; each: warm-up, median of {ROUNDS} rounds of ~{ROUND_S} s; float32",
           "figures": []}
    data, built = {}, {}
    for model, kind, batch in figures:
        if model not in data:
            data[model] = dataset(model)
        fig = {"model": model, "kind": kind, "batch": batch, "unit": UNITS[kind], "nflow": [], "peers": {}}
        for _ in range(args.reps):
            fig["nflow"].append(measured(lambda: nflow_figure(binary, model, kind, batch)))
            for lib, build in PEERS.items():
                if (lib, model) not in built:
                    torch.manual_seed(0)
                    flow, log_prob, sample = build(**MODELS[model])
                    built[lib, model] = (flow, log_prob, sample, torch.optim.Adam(flow.parameters(), lr=1e-3))
                for threads in (1, 2):
                    torch.set_num_threads(threads)
                    key = f"{lib}/t{threads}"
                    fig["peers"].setdefault(key, []).append(
                        measured(lambda: peer_figure(built[lib, model], data[model], kind, batch)))
        fig["nflow_median"] = statistics.median(m["value"] for m in fig["nflow"])
        meds = {k: statistics.median(m["value"] for m in v) for k, v in fig["peers"].items()}
        fig["best_peer"] = max(meds, key=meds.get)
        fig["best_peer_median"] = meds[fig["best_peer"]]
        fig["ratio"] = fig["nflow_median"] / fig["best_peer_median"]
        out["figures"].append(fig)
        steal = max(m["steal_fraction"] for ms in [fig["nflow"]] + list(fig["peers"].values()) for m in ms)
        print(f"{model} {kind} batch {batch}: nflow {fig['nflow_median']:.4g} {UNITS[kind]}, best peer "
              f"{fig['best_peer']} {fig['best_peer_median']:.4g} ({fig['ratio']:.2f}x); load "
              f"{fig['nflow'][0]['load_before'].split()[0]} .. {loadavg().split()[0]}, steal up to {100*steal:.1f}%", flush=True)
    print(f"\n{out['timestamp_utc']}  {machine}  torch {out['torch']}  zuko {out['zuko']}  nflows {out['nflows']}")
    print(f"{'figure':28s} {'nflow':>12s} {'best peer':>12s} {'peer':>10s} {'ratio':>7s}  load (1 min) during")
    for f in out["figures"]:
        loads = [float(m["load_before"].split()[0]) for m in f["nflow"]] + \
            [float(m["load_after"].split()[0]) for ms in f["peers"].values() for m in ms]
        print(f"{f['model'] + ' ' + f['kind'] + ' b' + str(f['batch']):28s} {f['nflow_median']:12.4g} "
              f"{f['best_peer_median']:12.4g} {f['best_peer']:>10s} {f['ratio']:6.2f}x  {min(loads):.2f}-{max(loads):.2f}")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.json")
    with open(path, "w") as fh:
        json.dump(out, fh, indent=2)
    print("wrote", path)


if __name__ == "__main__":
    main()
