#!/usr/bin/env bash
# Creates tools/peers/.venv with torch (CPU), zuko and nflows for bench.py.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv .venv
PIP=.venv/bin/pip
# Prefer the CPU-only wheel (small); fall back to plain PyPI torch if that index is unreachable.
if ! timeout 300 "$PIP" install torch==2.15.0 --index-url https://download.pytorch.org/whl/cpu; then
  echo "CPU wheel index unreachable; installing torch from PyPI" >&2
  "$PIP" install torch==2.15.0
fi
"$PIP" install -r requirements.txt
.venv/bin/python -c "from importlib.metadata import version as v; print({p: v(p) for p in ('torch','zuko','nflows')})"
