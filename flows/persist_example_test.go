package flows_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/nflowgo/nflow/flows"
	"gorgonia.org/tensor"
)

// points is a small float32 batch [3, 2].
func points() *tensor.Dense {
	return tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float32{0, 0, 0.5, -1, 1.5, 0.25}))
}

// sameBits reports whether two float32 tensors hold identical bits.
func sameBits(a, b *tensor.Dense) bool {
	x, y := a.Float32s(), b.Float32s()
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
			return false
		}
	}
	return len(x) == len(y)
}

func ExampleSave() {
	spec := flows.Spec{Kind: "maf", EventSize: 2, Layers: 2, Hidden: []int{16, 16}, Seed: 1}
	model, err := flows.Build(spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	// ... train the model ...
	var buf bytes.Buffer
	if err := flows.Save(&buf, spec, model); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%q\n", buf.Bytes()[:8])
	// Output:
	// "\x89NFLOW\r\n"
}

func ExampleLoad() {
	spec := flows.Spec{Kind: "iaf", EventSize: 2, Layers: 2, Hidden: []int{8}, Seed: 3}
	model, _ := flows.Build(spec)
	var buf bytes.Buffer
	if err := flows.Save(&buf, spec, model); err != nil {
		fmt.Println(err)
		return
	}

	loaded, reloaded, err := flows.Load(&buf)
	if err != nil {
		fmt.Println(err)
		return
	}
	lp, _ := model.LogProb(points())
	lp2, _ := reloaded.LogProb(points())
	fmt.Println(loaded.Kind, loaded.Layers, loaded.Hidden, loaded.DType)
	fmt.Println("identical log_prob:", sameBits(lp, lp2))
	// Output:
	// iaf 2 [8] float32
	// identical log_prob: true
}

func ExampleSaveFile() {
	dir, _ := os.MkdirTemp("", "nflow")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.nflow")

	spec := flows.Spec{Kind: "maf", EventSize: 2, Hidden: []int{8}, DType: "float64"}
	model, _ := flows.Build(spec)
	if err := flows.SaveFile(path, spec, model); err != nil {
		fmt.Println(err)
		return
	}
	_, err := os.Stat(path)
	fmt.Println("saved:", err == nil)
	// Output:
	// saved: true
}

func ExampleLoadFile() {
	dir, _ := os.MkdirTemp("", "nflow")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.nflow")
	spec := flows.Spec{Kind: "maf", EventSize: 2, Layers: 1, Hidden: []int{4}}
	model, _ := flows.Build(spec)
	if err := flows.SaveFile(path, spec, model); err != nil {
		fmt.Println(err)
		return
	}

	loaded, reloaded, err := flows.LoadFile(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(loaded.Kind, reloaded.EventSize(), len(reloaded.Params()))

	// A damaged file is an error that names the file, the offset and the
	// problem, such as "flows: /tmp/.../model.nflow: offset 267:
	// truncated: the file ends after 267 bytes, its header declares 277".
	b, _ := os.ReadFile(path)
	os.WriteFile(path, b[:len(b)-10], 0o644)
	_, _, err = flows.LoadFile(path)
	var fe *flows.FormatError
	if errors.As(err, &fe) {
		fmt.Println(fe.Name == path, fe.Offset == int64(len(b)-10), strings.HasPrefix(fe.Err.Error(), "truncated"))
	}
	// Output:
	// maf 2 4
	// true true true
}

func ExampleFormatError() {
	_, _, err := flows.Load(strings.NewReader("x0,x1\n0.5,1.5\n-1,2\n"))
	var fe *flows.FormatError
	if errors.As(err, &fe) {
		fmt.Println("offset", fe.Offset)
		fmt.Println(fe.Err)
	}
	// Output:
	// offset 0
	// not an nflow model file: it starts with "x0,x1\n0.", expected "\x89NFLOW\r\n"
}
