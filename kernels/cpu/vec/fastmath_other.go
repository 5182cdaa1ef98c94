//go:build !amd64

package vec

func vectorExp(dst, src []float64) int      { return 0 }
func vectorLog(dst, src []float64) int      { return 0 }
func vectorSoftplus(dst, src []float64) int { return 0 }
