package engine

import "fmt"

// CUDAError is a failed CUDA driver call: the call's name and the
// driver's result code (CUresult), or the error cu returned.
type CUDAError struct {
	Op   string
	Code int
	Err  error
}

func (e *CUDAError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("cuda: %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("cuda: %s failed with CUresult %d", e.Op, e.Code)
}

func (e *CUDAError) Unwrap() error { return e.Err }

// cudaErr wraps a cu error, or returns nil.
func cudaErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return &CUDAError{Op: op, Err: err}
}
