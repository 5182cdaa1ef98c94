package vec

func reluGo[T float32 | float64](y []T) {
	for i, v := range y {
		if v < 0 {
			y[i] = 0
		}
	}
}

func reluGradGo[T float32 | float64](gz, y, gy []T) {
	for i, v := range y {
		if v > 0 {
			gz[i] = gy[i]
		} else {
			gz[i] = 0
		}
	}
}
