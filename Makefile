# nflow: normalizing flows for Go.
GO ?= go

.PHONY: test moons lint vet fmt-check

# The test command (README.md, .ci/run).
test: fmt-check vet
	$(GO) test -count=1 ./...

# The lab end to end: figures in moons-out/.
moons:
	$(GO) run ./cmd/moons

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

lint: fmt-check vet
