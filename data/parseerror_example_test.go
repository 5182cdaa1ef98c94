package data_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nflowgo/nflow/data"
)

func ExampleParseError() {
	_, err := data.ReadCSV(strings.NewReader("x,y\n1,2\n3\n"), "points.csv")
	var pe *data.ParseError
	if errors.As(err, &pe) {
		fmt.Println(pe.Name, pe.Line)
	}
	fmt.Println(err)
	// Output:
	// points.csv 3
	// data: points.csv: line 3: 1 field, expected 2
}
