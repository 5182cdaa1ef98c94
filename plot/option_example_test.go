package plot_test

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"

	"github.com/nflowgo/nflow/plot"
	"gorgonia.org/tensor"
)

func ExampleOption() {
	pts := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{0, 0, 1, 1, 2, 0.5}))
	path := filepath.Join(os.TempDir(), "nflow-option-example.png")
	defer os.Remove(path)
	err := plot.Scatter(path, pts, "three points",
		plot.WithRange(-1, 3, -1, 2), plot.WithColor(color.RGBA{R: 200, A: 255}), plot.WithSize(300, 200))
	fmt.Println(err)
	// A bad option is an error of the drawing call.
	fmt.Println(plot.Scatter(path, pts, "bad", plot.WithSize(10, 10)) != nil)
	// Output:
	// <nil>
	// true
}
