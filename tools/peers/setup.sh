#!/usr/bin/env bash
# Creates a virtual environment with torch, zuko and nflows for bench.py,
# outside the repository: the first argument, else $NFLOW_PEERS_VENV, else
# ~/.cache/nflow/venv-peers. Packages come from wherever pip's own
# configuration points (PyPI by default); torch's PyPI build runs on CPU.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${1:-${NFLOW_PEERS_VENV:-$HOME/.cache/nflow/venv-peers}}"
python3 -m venv "$venv"
"$venv/bin/pip" install -r "$here/requirements.txt"
"$venv/bin/python" -c "from importlib.metadata import version as v; print({p: v(p) for p in ('torch','zuko','nflows')})"
echo "run: $venv/bin/python $here/bench.py"
