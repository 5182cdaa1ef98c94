#!/usr/bin/env bash
# Create tools/tfpref/.venv (git-ignored) with the pinned TF/TFP versions.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null 2>&1 || python=python3
"$python" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' \
  || { echo "need Python 3.11 (set PYTHON=...)" >&2; exit 1; }
"$python" -m venv "$here/.venv"
"$here/.venv/bin/python" -m pip install --upgrade pip
"$here/.venv/bin/python" -m pip install -r "$here/requirements.txt"
"$here/.venv/bin/python" -m pip check
"$here/.venv/bin/python" -c 'import tensorflow as tf, tensorflow_probability as tfp; print("tf", tf.__version__, "tfp", tfp.__version__)'
