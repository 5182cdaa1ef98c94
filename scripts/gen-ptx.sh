#!/usr/bin/env bash
# Compiles every kernels/*.cu to kernels/<name>.ptx, the PTX that the gpu
# build embeds (kernels/ptx.go):
#
#   nvcc -ptx -arch=compute_80 -ccbin g++-11 -O3 <name>.cu
#
# PTX ISA 7.8 for compute capability 8.0, which any driver from R520 on
# JIT-compiles for its GPU (Ampere, Hopper, ...). No --use_fast_math: the
# kernels keep IEEE float semantics so they match the CPU ops.
#
#   scripts/gen-ptx.sh          # regenerate kernels/*.ptx
#   scripts/gen-ptx.sh --check  # regenerate into a temporary folder and fail
#                               # if the committed kernels/*.ptx differ
#
# The output depends only on the sources and the compiler, so the check pins
# the compiler: nvcc release 11.8 (from scripts/cuda-toolkit.sh unless $NVCC
# names one) with host compiler g++-11 ($NVCC_CCBIN overrides). Where ptxas
# is found, every PTX file is also assembled for sm_80 and sm_90 to prove
# the driver's JIT will accept it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
kernels=$root/kernels
release=11.8

check=false
case "${1:-}" in
--check) check=true ;;
"") ;;
*)
	echo "usage: scripts/gen-ptx.sh [--check]" >&2
	exit 2
	;;
esac

if [ -z "${NVCC:-}" ]; then
	env=$("$root/scripts/cuda-toolkit.sh" --env) || {
		echo "gen-ptx: scripts/cuda-toolkit.sh could not provide nvcc" >&2
		exit 1
	}
	eval "$env"
fi
ccbin=${NVCC_CCBIN:-g++-11}
if ! command -v "$ccbin" >/dev/null; then
	echo "gen-ptx: host compiler $ccbin not found; nvcc $release needs gcc 11 or older (apt-get install g++-11)" >&2
	exit 1
fi
version=$("$NVCC" --version | sed -n 's/.*release \([0-9.]*\),.*/\1/p')
if [ "$version" != "$release" ]; then
	echo "gen-ptx: $NVCC is release ${version:-unknown}, expected $release (the committed PTX is built with it)" >&2
	exit 1
fi

ptxas=${PTXAS:-}
if [ -z "$ptxas" ]; then
	for p in "$(dirname "$NVCC")/ptxas" "$(dirname "$NVCC")/../../../bin/ptxas"; do
		if [ -x "$p" ]; then
			ptxas=$p
			break
		fi
	done
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

shopt -s nullglob
sources=("$kernels"/*.cu)
if [ ${#sources[@]} -eq 0 ]; then
	echo "gen-ptx: no kernels/*.cu" >&2
	exit 1
fi

# Compile (and assemble) in parallel, from the kernels folder with relative
# names, so that no path of this machine can reach the output.
build() {
	local name=$1
	(cd "$kernels" && "$NVCC" -ptx -arch=compute_80 -ccbin "$ccbin" -O3 "$name.cu" -o "$out/$name.ptx") || {
		echo "gen-ptx: nvcc failed on kernels/$name.cu" >&2
		return 1
	}
	[ -n "$ptxas" ] || return 0
	local sm
	for sm in sm_80 sm_90; do
		"$ptxas" -arch=$sm "$out/$name.ptx" -o /dev/null || {
			echo "gen-ptx: ptxas -arch=$sm rejects the PTX of kernels/$name.cu" >&2
			return 1
		}
	done
}
start=$(date +%s.%N)
pids=()
for src in "${sources[@]}"; do
	name=$(basename "$src" .cu)
	build "$name" 2>"$out/$name.log" &
	pids+=("$!:$name")
done
failed=0
for pn in "${pids[@]}"; do
	if ! wait "${pn%%:*}"; then
		cat "$out/${pn#*:}.log" >&2
		failed=1
	fi
done
[ "$failed" -eq 0 ] || exit 1
elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

if $check; then
	stale=()
	for src in "${sources[@]}"; do
		name=$(basename "$src" .cu)
		if ! cmp -s "$out/$name.ptx" "$kernels/$name.ptx"; then
			stale+=("kernels/$name.ptx")
		fi
	done
	for ptx in "$kernels"/*.ptx; do
		name=$(basename "$ptx" .ptx)
		if [ ! -f "$kernels/$name.cu" ]; then
			stale+=("kernels/$name.ptx (no kernels/$name.cu)")
		fi
	done
	if [ ${#stale[@]} -gt 0 ]; then
		echo "gen-ptx: committed PTX is stale; run scripts/gen-ptx.sh and commit the result:" >&2
		printf '  %s\n' "${stale[@]}" >&2
		exit 1
	fi
	echo "gen-ptx: ${#sources[@]} PTX files are current (nvcc $release, ${elapsed}s)"
	exit 0
fi

for ptx in "$kernels"/*.ptx; do
	name=$(basename "$ptx" .ptx)
	[ -f "$kernels/$name.cu" ] || rm -f "$ptx"
done
for src in "${sources[@]}"; do
	name=$(basename "$src" .cu)
	cp "$out/$name.ptx" "$kernels/$name.ptx"
done
echo "gen-ptx: wrote ${#sources[@]} PTX files to kernels/ (nvcc $release, ${elapsed}s)"
