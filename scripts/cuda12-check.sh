#!/usr/bin/env bash
# Compile-checks the gpu build against CUDA 12's driver header: fetches
# cuda.h from Debian trixie's non-free nvidia-cuda-dev (CUDA 12.4) into a
# cache outside the repository, then runs `go vet -tags gpu ./...` with it,
# which makes cgo compile every preamble (engine/cuda_graph_gpu.go's
# graph calls, gorgonia.org/cu's) against that header. Linking still uses
# scripts/cuda-toolkit.sh's stub libcuda.
#
# Cost: one download of the 930 MB package (seconds here) and about 40 s of
# extraction, once per cache; the package itself is deleted afterwards and
# only the two headers (1 MB) are kept. The cache lives in
# $NFLOW_CUDA12_CACHE (default: ~/.cache/nflow-cuda12).
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${NFLOW_CUDA12_CACHE:-$HOME/.cache/nflow-cuda12}
inc=$cache/root/usr/include
stamp=$cache/root/.complete

fetch() {
	local uri keyring
	read -r uri keyring < <(scripts/debian-archive.sh)
	mkdir -p "$cache/debs" "$cache/apt/lists/partial" "$cache/apt/cache/archives/partial" "$cache/apt/sources.d" "$cache/root"
	{
		echo "Types: deb"
		echo "URIs: $uri"
		echo "Suites: trixie"
		echo "Components: non-free"
		[ "$keyring" = "-" ] || echo "Signed-By: $keyring"
	} >"$cache/apt/sources.d/trixie-nonfree.sources"
	local opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$cache/apt/sources.d"
		-o "Dir::State::Lists=$cache/apt/lists" -o "Dir::Cache=$cache/apt/cache"
		-o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
	apt-get "${opts[@]}" update -qq >&2
	rm -f "$cache"/debs/*.deb
	(cd "$cache/debs" && apt-get "${opts[@]}" download nvidia-cuda-dev >&2)
	dpkg-deb --fsys-tarfile "$cache"/debs/nvidia-cuda-dev_*.deb |
		tar -x -C "$cache/root" --wildcards './usr/include/cuda.h' './usr/include/cudaTypedefs.h'
	rm -f "$cache"/debs/*.deb
	grep -q '^#define CUDA_VERSION 12' "$inc/cuda.h" || { echo "cuda12-check: $inc/cuda.h is not CUDA 12" >&2; exit 1; }
	touch "$stamp"
}

[ -f "$stamp" ] || fetch
eval "$(scripts/cuda-toolkit.sh --env)"
echo "cuda12-check: $(grep -m1 '^#define CUDA_VERSION' "$inc/cuda.h")" >&2
CGO_CFLAGS="-I$inc" go vet -tags gpu ./...
echo "cuda12-check: the gpu build compiles against CUDA 12's cuda.h" >&2
