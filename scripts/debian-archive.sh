#!/usr/bin/env bash
# Prints the URI and Signed-By keyring of this machine's Debian archive, as
# its own apt sources name them ("URI KEYRING", the keyring "-" when the
# entry names none), so that scripts fetching packages name no package
# host themselves. The archive is the first entry whose suite is this
# release's codename (/etc/os-release VERSION_CODENAME); deb822 *.sources
# files and one-line sources.list entries are both read.
#
#   read -r uri keyring < <(scripts/debian-archive.sh)
set -euo pipefail
dir=${NFLOW_APT_DIR:-/etc/apt}
read -r id codename < <(. /etc/os-release && echo "${ID:-} ${VERSION_CODENAME:-}")
[ "$id" = debian ] || { echo "debian-archive: this machine runs ${id:-an unknown system}, not Debian; its apt sources name no Debian archive" >&2; exit 1; }
[ -n "${codename:-}" ] || { echo "debian-archive: /etc/os-release names no VERSION_CODENAME" >&2; exit 1; }

# deb822 stanzas (Types, URIs, Suites, Signed-By), separated by blank lines.
deb822() {
	local f
	for f in "$dir"/sources.list.d/*.sources; do
		[ -f "$f" ] && { cat "$f"; echo; }
	done | awk -v want="$codename" '
		function flush() {
			if ((" " types " ") ~ / deb / && (" " suites " ") ~ (" " want " ") && uri != "") print uri, (key == "" ? "-" : key)
			types = suites = uri = key = ""
		}
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		{ k = tolower($1); sub(/:$/, "", k); $1 = ""; sub(/^ +/, "") }
		k == "types" { types = $0 }
		k == "suites" { suites = $0 }
		k == "signed-by" { key = $0 }
		k == "uris" { split($0, u, " "); uri = u[1] }
		END { flush() }'
}

# One-line entries: deb [opt=value ...] URI SUITE COMPONENT...
oneline() {
	local f
	for f in "$dir"/sources.list "$dir"/sources.list.d/*.list; do
		[ -f "$f" ] && cat "$f"
	done | awk -v want="$codename" '
		$1 != "deb" { next }
		{
			key = "-"; i = 2
			if ($i ~ /^\[/) {
				for (; i <= NF; i++) {
					if ($i ~ /signed-by=/) { key = $i; sub(/.*signed-by=/, "", key); sub(/\]$/, "", key) }
					if ($i ~ /\]$/) break
				}
				i++
			}
			if ($(i + 1) == want) print $i, key
		}'
}

found=$({ deb822; oneline; } || true)
[ -n "$found" ] || { echo "debian-archive: no apt source in $dir serves suite $codename" >&2; exit 1; }
echo "${found%%$'\n'*}"
