package data

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"gorgonia.org/tensor"
)

// WriteCSV writes the [N, D] float32 or float64 Dense t to w as
// comma-separated text that ReadCSV reads back to the same values: one line
// per row, each value in the shortest decimal form that parses back to it at
// t's precision (strconv.FormatFloat with format 'g' and precision -1).
//
// If header is not empty it is written first as a line of D names. A name may
// not contain a comma, a quote, a line break or a '#' prefix, and may not parse
// as a number, since ReadCSV would then take the header for data.
//
// WriteCSV returns an error if t is nil, not two-dimensional or of another
// dtype, if header is not empty and its length is not D or a name is not
// allowed, if a value is NaN or infinite (naming its row and column, both
// 1-based), or if writing fails.
func WriteCSV(w io.Writer, t *tensor.Dense, header []string) error {
	if t == nil {
		return errors.New("data: WriteCSV: nil tensor")
	}
	if t.Dims() != 2 {
		return fmt.Errorf("data: WriteCSV: tensor shape %v, want [N, D]", t.Shape())
	}
	cols := t.Shape()[1]
	if len(header) > 0 {
		if len(header) != cols {
			return fmt.Errorf("data: WriteCSV: %d header names for a tensor of shape %v, want %d", len(header), t.Shape(), cols)
		}
		for i, h := range header {
			if err := checkHeaderName(h); err != nil {
				return fmt.Errorf("data: WriteCSV: header name %d %q: %w", i+1, h, err)
			}
		}
	}
	var (
		values []float64
		bits   int
	)
	switch src := rowMajor(t).(type) {
	case []float64:
		values, bits = src, 64
	case []float32:
		values, bits = make([]float64, len(src)), 32
		for i, v := range src {
			values[i] = float64(v)
		}
	default:
		return fmt.Errorf("data: WriteCSV: tensor dtype %v, want float32 or float64", t.Dtype())
	}
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("data: WriteCSV: value %v at row %d, column %d, want a finite value", v, i/cols+1, i%cols+1)
		}
	}

	bw := bufio.NewWriter(w)
	if len(header) > 0 {
		bw.WriteString(strings.Join(header, ","))
		bw.WriteByte('\n')
	}
	buf := make([]byte, 0, 32)
	for i, v := range values {
		buf = strconv.AppendFloat(buf[:0], v, 'g', -1, bits)
		bw.Write(buf)
		if (i+1)%cols == 0 {
			bw.WriteByte('\n')
		} else {
			bw.WriteByte(',')
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("data: WriteCSV: %w", err)
	}
	return nil
}

// checkHeaderName returns an error if ReadCSV would not read h back as a
// header name.
func checkHeaderName(h string) error {
	switch {
	case strings.ContainsAny(h, ",\"\r\n"):
		return errors.New("contains a comma, quote or line break")
	case strings.TrimSpace(h) != h:
		return errors.New("has leading or trailing space")
	case strings.HasPrefix(h, "#"):
		return errors.New("starts with '#'")
	}
	if _, err := strconv.ParseFloat(h, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return errors.New("parses as a number")
	}
	return nil
}
