#!/usr/bin/env python3
"""Speed of PyTorch normalizing-flow peers (zuko, nflows) on the lab's MAF model, CPU.

Model: 3 MAF layers, MADE hidden [128, 128], ReLU, order reversed between layers,
standard-normal base, float32, 2-D moons data (10000 points, noise 0.05).
Each metric: warm-up, then median of 3 rounds of ~1.5 s.
"""
import json, os, platform, statistics, sys, time
from datetime import datetime, timezone
from importlib.metadata import version

import numpy as np
import torch

ROUND_S = 1.5
ROUNDS = 3


def make_moons(n=10000, noise=0.05, seed=0):
    rng = np.random.default_rng(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    x = np.concatenate([np.cos(t_out), 1 - np.cos(t_in)])
    y = np.concatenate([np.sin(t_out), 1 - np.sin(t_in) - 0.5])
    pts = np.stack([x, y], 1) + rng.normal(scale=noise, size=(n, 2))
    return torch.from_numpy(pts[rng.permutation(n)].astype(np.float32))


def zuko_model():
    import zuko
    flow = zuko.flows.MAF(features=2, transforms=3, hidden_features=(128, 128))
    return flow, (lambda x: flow().log_prob(x)), (lambda n: flow().sample((n,)))


def nflows_model():
    from nflows.distributions.normal import StandardNormal
    from nflows.flows.base import Flow
    from nflows.transforms.autoregressive import MaskedAffineAutoregressiveTransform
    from nflows.transforms.base import CompositeTransform
    from nflows.transforms.permutations import ReversePermutation
    layers = []
    for i in range(3):
        if i > 0:
            layers.append(ReversePermutation(features=2))
        # MADE: in->128, num_blocks=1 block (128->128), 128->out  => 2 hidden layers of 128
        layers.append(MaskedAffineAutoregressiveTransform(
            features=2, hidden_features=128, num_blocks=1, use_residual_blocks=False,
            activation=torch.nn.functional.relu))
    flow = Flow(CompositeTransform(layers), StandardNormal([2]))
    return flow, flow.log_prob, flow.sample


def rate(fn, items_per_call):
    """Warm up, then median over ROUNDS of items/s over ~ROUND_S each."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 0.5:
        fn()
    rates = []
    for _ in range(ROUNDS):
        n = 0
        t0 = time.perf_counter()
        while True:
            fn()
            n += 1
            dt = time.perf_counter() - t0
            if dt >= ROUND_S:
                break
        rates.append(n * items_per_call / dt)
    return statistics.median(rates)


def bench(name, build, data, threads=1, only_train_b32=False):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    flow, log_prob, sample = build()
    nparams = sum(p.numel() for p in flow.parameters())
    opt = torch.optim.Adam(flow.parameters(), lr=1e-3)
    res = {}
    for bs in (32, 256):
        state = {"i": 0}
        def step(bs=bs, state=state):
            i = state["i"]
            if i + bs > len(data):
                i = 0
            x = data[i:i + bs]
            state["i"] = i + bs
            loss = -log_prob(x).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        res[f"train_b{bs}"] = rate(step, 1)  # steps/s
        if only_train_b32:
            return res
    x = data[:4096]
    with torch.no_grad():
        res["log_prob_4096"] = rate(lambda: log_prob(x), 4096)  # points/s
        res["sample_4096"] = rate(lambda: sample(4096), 4096)  # samples/s
        s = sample(4096)
        assert s.shape == (4096, 2) and torch.isfinite(s).all(), name
        # sanity: flow trained a few seconds should beat an untrained base on moons
        res["_final_nll_data4096"] = float(-log_prob(x).mean())
    res["_params"] = nparams
    return res


def main():
    data = make_moons()
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                machine = f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} logical CPUs"
                break
    except OSError:
        pass
    out = {
        "timestamp_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine,
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "zuko_version": version("zuko"),
        "nflows_version": version("nflows"),
        "threads": 1,
        "units": {"train_b32": "steps/s", "train_b256": "steps/s",
                  "log_prob_4096": "points/s", "sample_4096": "samples/s"},
        "method": f"warm-up 0.5 s, median of {ROUNDS} rounds of ~{ROUND_S} s, float32, torch.set_num_threads(1)",
    }
    builders = {"zuko": zuko_model, "nflows": nflows_model}
    for name, build in builders.items():
        out[name] = bench(name, build, data, threads=1)
        print(name, out[name], flush=True)
    out["threads2"] = {}
    for name, build in builders.items():
        out["threads2"][name] = bench(name, build, data, threads=2, only_train_b32=True)
        print(name, "2 threads", out["threads2"][name], flush=True)

    keys = ["train_b32", "train_b256", "log_prob_4096", "sample_4096"]
    print(f"\n{out['timestamp_utc']}  {machine}  torch {out['torch']}  zuko {out['zuko_version']}  nflows {out['nflows_version']}  (1 thread)")
    print(f"{'lib':8s} {'train b32 st/s':>15s} {'train b256 st/s':>16s} {'log_prob pts/s':>15s} {'sample smp/s':>13s} {'train b32 2thr':>15s}")
    for name in builders:
        r = out[name]
        print(f"{name:8s} {r['train_b32']:15.1f} {r['train_b256']:16.1f} {r['log_prob_4096']:15.0f} {r['sample_4096']:13.0f} {out['threads2'][name]['train_b32']:15.1f}")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=2)
    print("wrote", path)


if __name__ == "__main__":
    main()
