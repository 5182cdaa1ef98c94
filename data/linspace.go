package data

// linspace returns n values evenly spaced over [start, stop], as numpy's
// linspace does. With endpoint true the last value is exactly stop and the
// step is (stop-start)/(n-1); with endpoint false stop is excluded and the
// step is (stop-start)/n. It returns an empty slice for n < 1 and
// []float64{start} for n == 1.
func linspace(start, stop float64, n int, endpoint bool) []float64 {
	if n < 1 {
		return []float64{}
	}
	v := make([]float64, n)
	div := n
	if endpoint {
		div = n - 1
	}
	if div == 0 {
		v[0] = start
		return v
	}
	step := (stop - start) / float64(div)
	for i := range v {
		v[i] = start + float64(i)*step
	}
	if endpoint {
		v[n-1] = stop
	}
	return v
}
