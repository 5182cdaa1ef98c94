# nflow: normalizing flows for Go.
GO ?= go

.PHONY: test moons lint vet fmt-check generate generate-check bench bench-quick kernels ptx-check gpu-check cuda12-check gpu-build gpu-emu fuzz

# The test command (README.md, .ci/run).
test: fmt-check vet generate-check
	$(GO) test -count=1 ./...

# Regenerate the gemm assembly kernels (kernels/cpu/gemm/internal/kerngen).
generate:
	$(GO) generate ./kernels/cpu/gemm

# Fail if the committed generated assembly is not what the generator writes.
generate-check:
	@tmp=$$(mktemp -d) && cp kernels/cpu/gemm/kernel_*_amd64.s kernels/cpu/gemm/kernel_decl_amd64.go $$tmp/ && \
	$(GO) generate ./kernels/cpu/gemm && \
	for f in $$tmp/*; do cmp -s $$f kernels/cpu/gemm/$$(basename $$f) || { echo "kernels/cpu/gemm/$$(basename $$f) is stale: run make generate"; cp $$tmp/* kernels/cpu/gemm/; rm -rf $$tmp; exit 1; }; done; \
	rm -rf $$tmp

# The lab end to end: figures in moons-out/.
moons:
	$(GO) run ./cmd/moons

# The speed table (cmd/bench); bench-quick is the seconds-long smoke run.
bench:
	$(GO) run ./cmd/bench
bench-quick:
	$(GO) run ./cmd/bench -quick

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

lint: fmt-check vet

# Regenerate the committed PTX from kernels/*.cu (needs nvcc: scripts/cuda-toolkit.sh).
kernels:
	scripts/gen-ptx.sh

# Fail if the committed PTX is not what the sources compile to.
ptx-check:
	scripts/gen-ptx.sh --check

# Compile-check the gpu build: vet with the CUDA headers (11.8, and 12's
# cuda.h), build every GPU test binary and program, and check the PTX is current.
gpu-check: ptx-check cuda12-check
	eval "$$(scripts/cuda-toolkit.sh --env)" && $(GO) vet -tags gpu ./...
	scripts/build-gpu.sh build/gpu-check
	rm -rf build/gpu-check

# Compile the gpu build's cgo against CUDA 12's cuda.h (fetched once, 1 MB kept).
cuda12-check:
	scripts/cuda12-check.sh

# Run every gpu test against the CUDA driver emulated on the CPU
# (internal/cudaemu); the last line counts the kernels executed.
gpu-emu:
	scripts/gpu-emu-check.sh

# Build the GPU test binaries and programs into build/gpu for a GPU host
# (run there with: bash build/gpu/run-gpu.sh).
gpu-build:
	scripts/build-gpu.sh build/gpu

# Fuzz the model loader for five minutes.
fuzz:
	$(GO) test -run '^$$' -fuzz=FuzzLoad -fuzztime=5m ./flows
