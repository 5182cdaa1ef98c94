#!/usr/bin/env bash
# Fetches the CUDA 11.8 headers, stub libcuda and nvcc from Debian's non-free
# packages into a cache folder outside the repository, without installing
# them (installing would pull in kernel driver packages). Prints the prefix.
#
#   scripts/cuda-toolkit.sh            # fetch (once) and print the prefix
#   eval "$(scripts/cuda-toolkit.sh --env)"   # export CGO_CFLAGS/CGO_LDFLAGS/NVCC
#
# The cache lives in $NFLOW_CUDA_CACHE (default: ~/.cache/nflow-cuda). The
# packages come from the Debian archive that the machine's own apt sources
# name (/etc/apt/sources.list.d/*.sources or /etc/apt/sources.list), with
# contrib and non-free added; nothing outside the cache is written.
set -euo pipefail

cache=${NFLOW_CUDA_CACHE:-$HOME/.cache/nflow-cuda}
prefix=$cache/root
stamp=$prefix/.complete
tk=$prefix/usr/lib/nvidia-cuda-toolkit

# archive prints "URI KEYRING" of the first enabled binary apt source whose
# suites include the release codename $1: deb822 stanzas (Types, URIs,
# Suites, Signed-By, Enabled) or one-line "deb [signed-by=K] URI SUITE ..."
# entries. KEYRING is "-" when the source names none.
archive() {
	local files=()
	shopt -s nullglob
	files=(/etc/apt/sources.list.d/*.sources)
	shopt -u nullglob
	{
		[ ${#files[@]} -eq 0 ] || awk -v want="$1" '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " want " ") && enabled != "no" && uri != "") {
					print uri, (key == "" ? "-" : key); found = 1; exit
				}
				types = suites = uri = key = enabled = ""
			}
			FNR == 1 { flush() }
			/^[[:space:]]*$/ { flush(); next }
			/^[[:space:]]*#/ { next }
			{ field = tolower($1); sub(/:$/, "", field); $1 = ""; sub(/^ +/, "") }
			field == "types" { types = $0 }
			field == "uris" { split($0, u, " "); uri = u[1] }
			field == "suites" { suites = $0 }
			field == "signed-by" { key = $0 }
			field == "enabled" { enabled = tolower($0) }
			END { if (!found) flush() }' "${files[@]}"
		[ ! -f /etc/apt/sources.list ] || awk -v want="$1" '
			$1 != "deb" { next }
			{
				key = "-"; i = 2
				if ($2 ~ /^\[/) {
					for (; i <= NF; i++) {
						if ($i ~ /^\[?signed-by=/) { key = $i; sub(/^\[?signed-by=/, "", key); sub(/\]$/, "", key) }
						if ($i ~ /\]$/) { i++; break }
					}
				}
				if ($(i + 1) == want) { print $i, key; exit }
			}' /etc/apt/sources.list
	} | head -n 1
}

# write_profile gives nvcc a profile whose paths point into the prefix. nvcc
# reads nvcc.profile beside its binary; the package ships it as a link to
# /etc/nvcc.profile, so the link is replaced by a file of our own.
write_profile() {
	rm -f "$tk/bin/nvcc.profile"
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
}

fetch() {
	mkdir -p "$cache/debs" "$cache/apt/lists/partial" "$cache/apt/sources.d" "$prefix"
	local codename uri key
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	read -r uri key < <(archive "$codename") || true
	if [ -z "$codename" ] || [ -z "${uri:-}" ]; then
		echo "cuda-toolkit: no apt source for the release '${codename:-unknown}' in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list" >&2
		exit 1
	fi
	[ "$key" != "-" ] || key=/usr/share/keyrings/debian-archive-keyring.gpg
	# A private sources list adding contrib and non-free to that archive;
	# the system's own lists are never touched.
	cat >"$cache/apt/sources.d/nonfree.sources" <<-SRC
	Types: deb
	URIs: $uri
	Suites: $codename $codename-updates
	Components: main contrib non-free non-free-firmware
	Signed-By: $key
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
	write_profile
	test -f "$prefix/usr/include/cuda.h" || { echo "cuda-toolkit: cuda.h missing after extraction" >&2; exit 1; }
	touch "$stamp"
}

[ -f "$stamp" ] || fetch
# A cache made before the profile was private still has the link.
[ ! -L "$tk/bin/nvcc.profile" ] || write_profile

if [ "${1:-}" = "--env" ]; then
	echo "export CGO_CFLAGS='-I$prefix/usr/include'"
	echo "export CGO_LDFLAGS='-L$prefix/usr/lib/x86_64-linux-gnu/stubs'"
	echo "export NVCC='$prefix/usr/lib/nvidia-cuda-toolkit/bin/nvcc'"
	echo "export LD_LIBRARY_PATH='$prefix/usr/lib/x86_64-linux-gnu':\${LD_LIBRARY_PATH:-}"
else
	echo "$prefix"
fi
