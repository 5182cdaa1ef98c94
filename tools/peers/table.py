"""Print the README's speed table (markdown) from bench.py's results.json.

    python3 tools/peers/table.py [tools/peers/results.json]

Each row: nflow's median, the best peer configuration's median, the ratio,
issue 10's goal for that figure, and the range of the one-minute load and
the largest steal fraction over the figure's measurements.
"""
import json
import statistics
import sys

GOALS = {  # (model, kind, batch) -> least ratio (issue 10)
    ("lab", "train", 32): 12, ("lab", "train", 256): 4, ("lab", "train", 4096): 3,
    ("lab", "log_prob", 4096): 2, ("lab", "sample", 4096): 3.5,
    ("wide", "train", 4096): 2.5, ("wide", "sample", 256): 20,
}
UNITS = {"train": "train steps/s", "log_prob": "log prob points/s", "sample": "sample samples/s"}


def fmt(v):
    if v >= 1e5:
        return f"{v / 1e6:.2f}M"
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "tools/peers/results.json"
    d = json.load(open(path))
    print(f"Measured {d['timestamp_utc']} on {d['machine']}; torch {d['torch']}, zuko {d['zuko']}, nflows {d['nflows']}.")
    print()
    print("| figure | nflow | best peer | peer | ratio | goal | load (1 min) | steal |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for f in d["figures"]:
        ours = statistics.median(m["value"] for m in f["nflow"])
        peers = {k: statistics.median(m["value"] for m in v) for k, v in f["peers"].items()}
        best = max(peers, key=peers.get)
        ratio = ours / peers[best]
        goal = GOALS.get((f["model"], f["kind"], f["batch"]))
        met = "" if goal is None else f"≥ {goal:g}× ({'met' if ratio >= goal else 'not met'})"
        ms = f["nflow"] + [m for v in f["peers"].values() for m in v]
        loads = [float(m[k].split()[0]) for m in ms for k in ("load_before", "load_after")]
        steal = max(m["steal_fraction"] for m in ms)
        print(f"| {f['model']} {UNITS[f['kind']]}, batch {f['batch']} | {fmt(ours)} | {fmt(peers[best])} | {best} | "
              f"{ratio:.2f}× | {met} | {min(loads):.2f}–{max(loads):.2f} | ≤ {100 * steal:.1f}% |")


if __name__ == "__main__":
    main()
