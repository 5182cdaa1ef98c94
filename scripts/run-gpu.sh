#!/usr/bin/env bash
# Runs the GPU checks on a GPU host: every GPU test binary, the lab on
# cuda, and the benchmark on cpu and cuda. Prints the results and exits
# non-zero on any failure. Usage (from the repository root on the host):
#   bash build/gpu/run-gpu.sh [build/gpu] [results-folder]
set -u
dir=${1:-build/gpu}
res=${2:-${OUT:-/tmp/nflow-gpu}}
mkdir -p "$res"
for f in "$dir"/*.gz; do gunzip -kf "$f"; done
chmod +x "$dir"/*.test "$dir"/moons "$dir"/bench 2>/dev/null
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || { echo "run-gpu: no NVIDIA driver here"; exit 2; }
fail=0
run() { # name, command... (each limited to 300 s)
	local name=$1
	shift
	echo "=== $name: $*"
	if timeout 300 "$@" > "$res/$name.log" 2>&1; then
		echo "--- PASS $name"
	else
		echo "--- FAIL $name (exit $?)"
		fail=1
	fi
	tail -n 40 "$res/$name.log"
}
for t in "$dir"/*.test; do
	run "$(basename "$t" .test)" "$t" -test.v -test.count=1 -test.timeout=300s
done
run moons-cuda "$dir/moons" -device=cuda -json -out "$res/moons-cuda"
run bench-lab "$dir/bench" -device cuda,cpu -model lab -json -batch 32,256,4096
run bench-lab-large "$dir/bench" -device cuda -model lab -json -batch 65536,1048576 -rounds 1 -seconds 0.2
run bench-wide "$dir/bench" -device cuda -model wide -json -batch 65536 -rounds 1 -seconds 0.2
if [ $fail -ne 0 ]; then
	echo "run-gpu: FAILED"
	exit 1
fi
echo "run-gpu: all passed"
