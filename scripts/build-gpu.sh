#!/usr/bin/env bash
# Builds every GPU test binary and program with the gpu tag into build/gpu/
# (stripped, gzipped) together with run-gpu.sh, ready to carry to a GPU host
# that has the NVIDIA driver but no Go toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/cuda-toolkit.sh --env)"
out=${1:-build/gpu}
rm -rf "$out"
mkdir -p "$out"
flags=(-tags gpu -trimpath -ldflags='-s -w')
# Packages with GPU tests: those with a _test.go file tagged gpu.
for dir in $(grep -l '^//go:build gpu' $(git ls-files '*_test.go') | xargs -n1 dirname | sort -u); do
	name=$(echo "$dir" | tr / -)
	echo "test binary ./$dir -> $out/$name.test" >&2
	go test -c "${flags[@]}" -o "$out/$name.test" "./$dir"
done
for cmd in moons bench; do
	echo "program ./cmd/$cmd -> $out/$cmd" >&2
	go build "${flags[@]}" -o "$out/$cmd" "./cmd/$cmd"
done
gzip -9 "$out"/*
cp scripts/run-gpu.sh "$out/"
du -sh "$out" >&2
