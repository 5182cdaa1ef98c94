#!/usr/bin/env bash
# Fetches the CUDA 11.8 headers, stub libcuda and nvcc from Debian's non-free
# packages into a cache folder outside the repository, without installing
# them (installing would pull in kernel driver packages). Prints the prefix.
#
#   scripts/cuda-toolkit.sh            # fetch (once) and print the prefix
#   eval "$(scripts/cuda-toolkit.sh --env)"   # export CGO_CFLAGS/CGO_LDFLAGS/NVCC
#
# The cache lives in $NFLOW_CUDA_CACHE (default: ~/.cache/nflow-cuda).
set -euo pipefail

cache=${NFLOW_CUDA_CACHE:-$HOME/.cache/nflow-cuda}
prefix=$cache/root
stamp=$prefix/.complete

fetch() {
	mkdir -p "$cache/debs" "$cache/apt/lists/partial" "$cache/apt/sources.d" "$prefix"
	# A private sources list adding contrib and non-free to Debian's archive;
	# the system's own lists are never touched.
	cat >"$cache/apt/sources.d/nonfree.sources" <<-SRC
	Types: deb
	URIs: http://deb.debian.org/debian
	Suites: bookworm bookworm-updates
	Components: main contrib non-free non-free-firmware
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	SRC
	local opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$cache/apt/sources.d"
		-o "Dir::State::Lists=$cache/apt/lists" -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
	apt-get "${opts[@]}" update -qq >&2
	(cd "$cache/debs" && apt-get "${opts[@]}" download nvidia-cuda-dev nvidia-cuda-toolkit libcudart11.0 \
		libnvvm4 nvidia-cuda-toolkit-doc- 2>/dev/null >&2 || apt-get "${opts[@]}" download nvidia-cuda-dev nvidia-cuda-toolkit libcudart11.0 libnvvm4 >&2)
	for deb in "$cache"/debs/*.deb; do
		# Only the paths a build needs: headers, the stub libcuda, nvcc and libdevice.
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$prefix" --wildcards \
			'./usr/include/*' './usr/lib/x86_64-linux-gnu/stubs/*' './usr/lib/nvidia-cuda-toolkit/*' \
			'./usr/lib/x86_64-linux-gnu/libnvvm*' './usr/lib/x86_64-linux-gnu/libcudart*' './usr/bin/*' 2>/dev/null || true
	done
	local tk=$prefix/usr/lib/nvidia-cuda-toolkit
	cat >"$tk/bin/nvcc.profile" <<-PROF
	TOP = $prefix/usr
	NVVMIR_LIBRARY_DIR = $tk/libdevice
	LD_LIBRARY_PATH += $prefix/usr/lib/x86_64-linux-gnu:
	PATH += $tk/bin:
	INCLUDES += "-I$prefix/usr/include" \$(_SPACE_)
	LIBRARIES =+ \$(_SPACE_) "-L$prefix/usr/lib/x86_64-linux-gnu/stubs" "-L$prefix/usr/lib/x86_64-linux-gnu"
	CUDAFE_FLAGS +=
	PTXAS_FLAGS +=
	PROF
	test -f "$prefix/usr/include/cuda.h" || { echo "cuda-toolkit: cuda.h missing after extraction" >&2; exit 1; }
	touch "$stamp"
}

[ -f "$stamp" ] || fetch

if [ "${1:-}" = "--env" ]; then
	echo "export CGO_CFLAGS='-I$prefix/usr/include'"
	echo "export CGO_LDFLAGS='-L$prefix/usr/lib/x86_64-linux-gnu/stubs'"
	echo "export NVCC='$prefix/usr/lib/nvidia-cuda-toolkit/bin/nvcc'"
	echo "export LD_LIBRARY_PATH='$prefix/usr/lib/x86_64-linux-gnu':\${LD_LIBRARY_PATH:-}"
else
	echo "$prefix"
fi
