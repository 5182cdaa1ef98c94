#!/usr/bin/env bash
# make gpu-emu: builds the emulated driver and every package's gpu test
# binary, runs each against the emulator (scripts/gpu-emu.sh), and counts
# the kernels launched. Its last line is
#
#   gpu-emu: K of M kernels executed
#
# where M is every .entry of the committed kernels/*.ptx and K those some
# test launched. Exits non-zero when a test fails or K < M (naming the
# kernels never launched).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=build/gpu-emu
rm -rf "$out"
mkdir -p "$out"
log=$(pwd)/$out/launched.txt
: >"$log"

scripts/gpu-emu.sh || exit 1
eval "$(scripts/cuda-toolkit.sh --env)"
fail=0
# The emulator's own self-test: what kernels/*.cu do not use yet (shuffles,
# atomics, dynamic shared memory), capture rules, divergence, hidden GPUs.
emu=${CUDAEMU_BUILD:-build/cudaemu}
echo "=== gpu-emu: emulator self-test"
"$emu/selftest" 2>"$out/selftest.err" | grep -v '^ok' || fail=1
for hidden in "" -1; do
	res=$(CUDA_VISIBLE_DEVICES=$hidden "$emu/selftest" hidden) || {
		echo "$res (CUDA_VISIBLE_DEVICES='$hidden')"
		fail=1
	}
done
# Packages with GPU tests: those with a _test.go file tagged gpu.
dirs=$(grep -l '^//go:build gpu' $(git ls-files '*_test.go') | xargs -n1 dirname | sort -u)
for dir in $dirs; do
	name=$(echo "$dir" | tr / -)
	go test -c -tags gpu -o "$out/$name.test" "./$dir" || {
		echo "gpu-emu: building the gpu tests of ./$dir failed"
		fail=1
		continue
	}
done
for dir in $dirs; do
	name=$(echo "$dir" | tr / -)
	[ -x "$out/$name.test" ] || continue
	echo "=== gpu-emu: ./$dir"
	start=$(date +%s)
	# From the package folder, as go test runs it (testdata).
	if (cd "$dir" && CUDAEMU_LAUNCH_LOG=$log "$root/scripts/gpu-emu.sh" "$root/$out/$name.test" -test.count=1 -test.timeout=600s -test.v >"$root/$out/$name.log" 2>&1); then
		grep -E '^(ok|PASS)' "$out/$name.log" | head -20
		# A gpu test that skips for want of a device did not run here.
		if grep -A1 -- '--- SKIP' "$out/$name.log" | grep -q 'CUDA device'; then
			echo "gpu-emu: ./$dir skipped gpu tests under the emulator:"
			grep -A1 -- '--- SKIP' "$out/$name.log"
			fail=1
		fi
		echo "--- PASS ./$dir ($(($(date +%s) - start)) s)"
	else
		tail -n 60 "$out/$name.log"
		echo "--- FAIL ./$dir ($(($(date +%s) - start)) s)"
		fail=1
	fi
	grep -h 'max relative difference' "$out/$name.log" | sed 's/^ *//' || true
done

grep -ho '\.entry[[:space:]]\+[A-Za-z_][A-Za-z0-9_]*' kernels/*.ptx | awk '{print $2}' | sort -u >"$out/kernels.txt"
sort -u "$log" >"$out/launched-sorted.txt"
missing=$(comm -23 "$out/kernels.txt" "$out/launched-sorted.txt")
m=$(wc -l <"$out/kernels.txt")
k=$(comm -12 "$out/kernels.txt" "$out/launched-sorted.txt" | wc -l)
if [ -n "$missing" ]; then
	echo "gpu-emu: kernels no gpu test launched:" $missing
	fail=1
fi
[ "$fail" -eq 0 ] || echo "gpu-emu: FAILED"
echo "gpu-emu: $k of $m kernels executed"
exit "$fail"
