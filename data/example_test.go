package data_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/nflowgo/nflow/data"
)

func ExampleMakeMoons() {
	x, labels, err := data.MakeMoons(1000, 0.05, 1)
	if err != nil {
		log.Fatal(err)
	}
	inner := 0
	for _, l := range labels {
		inner += l
	}
	fmt.Println("shape:", x.Shape(), "dtype:", x.Dtype())
	fmt.Println("outer:", len(labels)-inner, "inner:", inner)
	// Output:
	// shape: (1000, 2) dtype: float64
	// outer: 500 inner: 500
}

func ExampleReadCSV() {
	const table = `# two points in the plane
x,y
0.5,-1
2,3.25
`
	t, err := data.ReadCSV(strings.NewReader(table), "points.csv")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(t.Shape(), t.Data())

	_, err = data.ReadCSV(strings.NewReader("x,y\n1,2\n3\n"), "ragged.csv")
	fmt.Println(err)
	// Output:
	// (2, 2) [0.5 -1 2 3.25]
	// data: ragged.csv: line 3: 1 field, expected 2
}
