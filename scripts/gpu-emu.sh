#!/usr/bin/env bash
# Runs a command against the emulated CUDA driver (internal/cudaemu): builds
# build/cudaemu/libcuda.so.1 from kernels/*.cu and the emulator's sources
# when they changed, exports the gpu build's cgo flags, and puts the
# emulator first on LD_LIBRARY_PATH, so that any gpu test binary or program
# runs its kernels on the CPU.
#
#   scripts/gpu-emu.sh build/gpu-emu/engine.test -test.run CUDA
#   scripts/gpu-emu.sh go run -tags gpu ./cmd/bench -device cuda -quick
#   scripts/gpu-emu.sh                  # build the emulator only
#
# $CUDAEMU_BUILD overrides the build folder; $CUDAEMU_LAUNCH_LOG names a
# file that collects the names of the kernels launched.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${CUDAEMU_BUILD:-$root/build/cudaemu}
prefix=$("$root/scripts/cuda-toolkit.sh")
make -s -f "$root/internal/cudaemu/build.mk" -j"$(nproc)" ROOT="$root" OUT="$out" CUDA="$prefix/usr" >&2 || {
	echo "gpu-emu: building the emulated driver failed" >&2
	exit 1
}
eval "$("$root/scripts/cuda-toolkit.sh" --env)"
export LD_LIBRARY_PATH="$out:$LD_LIBRARY_PATH"
[ $# -gt 0 ] || exit 0
exec "$@"
