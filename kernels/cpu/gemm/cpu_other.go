//go:build !amd64 || purego

package gemm

var avx2Impl impl

func avx2Supported() bool { return false }

func detect() *impl { return &genericImpl }
