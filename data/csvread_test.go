package data

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	for _, test := range []struct {
		name  string
		in    string
		shape []int
		want  []float64
	}{
		{"plain", "1,2\n3,4\n", []int{2, 2}, []float64{1, 2, 3, 4}},
		{"no final newline", "1,2\n3,4", []int{2, 2}, []float64{1, 2, 3, 4}},
		{"header", "x,y\n1,2\n3,4\n", []int{2, 2}, []float64{1, 2, 3, 4}},
		{"quoted-free header with spaces", " x , y \n1,2\n", []int{1, 2}, []float64{1, 2}},
		{"comments and blanks", "# made by hand\n\nx,y\n  \n1,2\n# middle\n3,4\n\n", []int{2, 2}, []float64{1, 2, 3, 4}},
		{"indented comment", "  # note\n5,6\n", []int{1, 2}, []float64{5, 6}},
		{"CRLF and spaces", "a,b\r\n 1.5 ,\t-2e-3\r\n", []int{1, 2}, []float64{1.5, -2e-3}},
		{"byte-order mark", "\ufeffx,y\n1,2\n", []int{1, 2}, []float64{1, 2}},
		{"one column", "3\n4\n5\n", []int{3, 1}, []float64{3, 4, 5}},
	} {
		got, err := ReadCSV(strings.NewReader(test.in), test.name)
		if err != nil {
			t.Errorf("%s: %v", test.name, err)
			continue
		}
		if !got.Shape().Eq(test.shape) {
			t.Errorf("%s: shape %v, want %v", test.name, got.Shape(), test.shape)
			continue
		}
		if g := got.Data().([]float64); !equalFloats(g, test.want) {
			t.Errorf("%s: values %v, want %v", test.name, g, test.want)
		}
	}
}

func TestReadCSVErrors(t *testing.T) {
	for _, test := range []struct {
		name string
		in   string
		want []string
	}{
		{"ragged.csv", "x,y\n1,2\n\n# c\n3,4\n5,6\n1,2,3\n", []string{"ragged.csv", "line 7", "3 fields, expected 2"}},
		{"short.csv", "1,2\n3\n", []string{"short.csv", "line 2", "1 field, expected 2"}},
		{"header-width.csv", "x,y,z\n1,2\n", []string{"header-width.csv", "line 2", "2 fields, expected 3"}},
		{"word.csv", "1,2\n3,abc\n", []string{"word.csv", "line 2", "column 2", `field "abc" is not a number`}},
		{"mixed-header.csv", "x,2\n1,2\n", []string{"mixed-header.csv", "line 1", "column 1", `field "x" is not a number`}},
		{"empty-field.csv", "1,2\n,4\n", []string{"empty-field.csv", "line 2", "column 1", `field "" is not a number`}},
		{"nan.csv", "1,2\n3,4\nNaN,1\n", []string{"nan.csv", "line 3", "column 1", `field "NaN" is not finite`}},
		{"inf.csv", "1,+Inf\n", []string{"inf.csv", "line 1", "column 2", `field "+Inf" is not finite`}},
		{"neg-inf.csv", "x,y\n-inf,1\n", []string{"neg-inf.csv", "line 2", "column 1", `field "-inf" is not finite`}},
		{"overflow.csv", "1e999,1\n", []string{"overflow.csv", "line 1", "column 1", `field "1e999" is not finite`}},
		{"empty.csv", "", []string{"empty.csv", "empty table", "no data rows in 0 lines"}},
		{"header-only.csv", "x,y\n# nothing\n\n", []string{"header-only.csv", "empty table", "no data rows in 3 lines"}},
	} {
		_, err := ReadCSV(strings.NewReader(test.in), test.name)
		checkErr(t, err, test.want...)
		var perr *ParseError
		if err != nil && !errors.As(err, &perr) {
			t.Errorf("%s: error %T, want *ParseError", test.name, err)
		}
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestReadCSVReaderError(t *testing.T) {
	_, err := ReadCSV(failingReader{}, "broken.csv")
	checkErr(t, err, "broken.csv", "line 1", "disk on fire")
}

func TestLoadCSV(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	if err := os.WriteFile(good, []byte("x,y\n1,2\n3,4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := LoadCSV(good)
	if err != nil {
		t.Fatal(err)
	}
	if g := got.Data().([]float64); !equalFloats(g, []float64{1, 2, 3, 4}) {
		t.Errorf("values %v, want [1 2 3 4]", g)
	}

	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("1,2\n3,x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadCSV(bad)
	checkErr(t, err, bad, "line 2", "column 2", `"x" is not a number`)

	_, err = LoadCSV(filepath.Join(dir, "missing.csv"))
	checkErr(t, err, "missing.csv")
}
