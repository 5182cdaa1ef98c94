"""zuko with parts of nflow's conventions swapped in, to find which of them
cost nflow nats (the ablations in the README's "Real data" section).

    python tools/realdata/zuko_variants.py --data DIR --variant bound3,softplus
        [--sets breast_cancer] [--flow nsf] [--seeds 0,1,2] [--offset 0] [--out FILE.jsonl]
    python tools/realdata/zuko_variants.py --curve TRAIN.csv --variant ... [--flow maf] [--seeds 0,1,2,3]

Variants (comma-separated; "none" is zuko as it is):
  bound3     spline range [-3, 3] instead of zuko's [-5, 5]
  softplus   interior knot slopes softplus(u + c) + 1e-3 (nflow's
             softplus knots) instead of exp(softclip(u))
  noclip     no soft clip of the widths' and heights' softmax inputs
  minbin     bins of at least 1e-3 of the range (nflow's softplus knots)
  flip       the spline in the sampling direction (x = g(z)), as nflow's
             -density-params=false
  tfpaffine  the MAF's affine map in TFP's direction, x = (y - m)/σ in the
             density direction, as nflow's -density-params=false

It trains exactly as bench.py's run_zuko (same split, standardization and
budget); --offset adds to the torch seed (initialisation and shuffling)
only. One JSON line per run goes to --out, and the test NLLs to stdout.
With --curve it trains on every row of one file instead (no validation,
60 epochs) and prints the training loss (raw units) at epochs 10, 30 and
60 for each torch seed, and their mean at 60: how fast each variant learns.
"""
import argparse
import json
import math
import os
import sys

import torch
import torch.nn.functional as F
import zuko.transforms as T

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

SLOPE = 1e-3


def patch(variants):
    rqs, aff = T.MonotonicRQSTransform, T.MonotonicAffineTransform
    shift_c = math.log(math.expm1(1 - SLOPE))

    def rqs_init(self, widths, heights, derivatives, bound=5.0, slope=SLOPE, **kw):
        torch.distributions.Transform.__init__(self, **kw)
        if "bound3" in variants:
            bound = 3.0
        if "noclip" not in variants:
            widths = widths / (1 + abs(2 * widths / math.log(slope)))
            heights = heights / (1 + abs(2 * heights / math.log(slope)))
        w, h = F.softmax(widths, dim=-1), F.softmax(heights, dim=-1)
        if "minbin" in variants:
            k = w.shape[-1]
            w, h = SLOPE + (1 - k * SLOPE) * w, SLOPE + (1 - k * SLOPE) * h
        self.horizontal = bound * (2 * torch.cumsum(F.pad(w, (1, 0)), dim=-1) - 1)
        self.vertical = bound * (2 * torch.cumsum(F.pad(h, (1, 0)), dim=-1) - 1)
        if "softplus" in variants:
            self.derivatives = F.pad(F.softplus(derivatives + shift_c) + SLOPE, (1, 1), value=1.0)
        else:
            d = derivatives / (1 + abs(derivatives / math.log(slope)))
            self.derivatives = torch.exp(F.pad(d, (1, 1)))

    rqs.__init__ = rqs_init
    if "flip" in variants:
        call, inverse, call_ladj = rqs._call, rqs._inverse, rqs.call_and_ladj

        def flipped_call_and_ladj(self, x):
            y = inverse(self, x)
            return y, -call_ladj(self, y)[1]

        rqs._call = lambda self, x: inverse(self, x)
        rqs._inverse = lambda self, y: call(self, y)
        rqs.call_and_ladj = flipped_call_and_ladj
    if "tfpaffine" in variants:
        def aff_init(self, shift, scale, slope=SLOPE, **kw):
            torch.distributions.Transform.__init__(self, **kw)
            log_sigma = scale / (1 + abs(scale / math.log(slope)))
            self.log_scale = -log_sigma
            self.scale = self.log_scale.exp()
            self.shift = -shift * self.scale

        aff.__init__ = aff_init


def curve(a):
    import numpy as np
    import zuko
    x = np.loadtxt(a.curve, delimiter=",", ndmin=2)
    mu, s = bench.robust_scale(x)
    logdet = float(np.log(s).sum())
    tr = torch.tensor((x - mu) / s, dtype=torch.float32)
    rows = []
    for seed in map(int, a.seeds.split(",")):
        torch.manual_seed(seed)
        kw = dict(features=x.shape[1], transforms=bench.LAYERS, hidden_features=bench.HIDDEN)
        model = zuko.flows.MAF(**kw) if a.flow == "maf" else zuko.flows.NSF(bins=8, **kw)
        opt = torch.optim.Adam(model.parameters(), lr=bench.LR)
        row = []
        for epoch in range(1, a.epochs + 1):
            idx, total = torch.randperm(len(tr)), 0.0
            for i in range(0, len(tr), bench.BATCH):
                b = tr[idx[i:i + bench.BATCH]]
                loss = -model().log_prob(b).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += loss.item() * len(b)
            if epoch in (10, 30, a.epochs):
                row.append(round(total / len(tr) + logdet, 2))
        rows.append(row)
    print(f"{a.curve} {a.flow} zuko [{a.variant}]: {rows} mean at {a.epochs}: "
          f"{sum(r[-1] for r in rows) / len(rows):.2f}", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--variant", default="none")
    p.add_argument("--sets", default="breast_cancer")
    p.add_argument("--flow", default="nsf")
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--out", default="")
    p.add_argument("--curve", default="")
    a = p.parse_args()
    patch(set(a.variant.split(",")))
    torch.set_num_threads(1)
    seed_torch = torch.manual_seed
    torch.manual_seed = lambda s: seed_torch(s + a.offset)
    if a.curve:
        return curve(a)
    for name in a.sets.split(","):
        nll = []
        for s in map(int, a.seeds.split(",")):
            train = os.path.join(a.data, f"{name}_s{s}_train.csv")
            test = os.path.join(a.data, f"{name}_s{s}_test.csv")
            r = bench.run_zuko(a, name, a.flow, s, train, test, [])
            r.update(set=name, flow=a.flow, lib="zuko", seed=s, variant=a.variant, offset=a.offset)
            nll.append(r["test_nll"])
            if a.out:
                with open(a.out, "a") as f:
                    f.write(json.dumps(r) + "\n")
        print(f"{name} {a.flow} zuko [{a.variant}] offset {a.offset}: " + " / ".join(f"{v:.2f}" for v in nll), flush=True)


if __name__ == "__main__":
    sys.exit(main())
