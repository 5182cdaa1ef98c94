package data

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"gorgonia.org/tensor"
)

// ParseError is the error returned by ReadCSV and LoadCSV for malformed
// input. Its message has the form
//
//	data: NAME: line LINE: column COLUMN: PROBLEM
//
// with the column part left out when Column is zero and the line part left
// out when Line is zero.
type ParseError struct {
	Name   string // Name is the file name given to ReadCSV or the path given to LoadCSV.
	Line   int    // Line is the 1-based line number, or 0 when no line is at fault.
	Column int    // Column is the 1-based field number, or 0 when no field is at fault.
	Err    error  // Err describes the problem.
}

// Error implements the error interface.
func (e *ParseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "data: %s: ", e.Name)
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Column > 0 {
		fmt.Fprintf(&b, "column %d: ", e.Column)
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying problem.
func (e *ParseError) Unwrap() error { return e.Err }

// LoadCSV reads the [N, D] numeric table in the file at path, as ReadCSV
// does, naming the file by path in its errors.
func LoadCSV(path string) (*tensor.Dense, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: LoadCSV: %w", err)
	}
	defer f.Close()
	return ReadCSV(f, path)
}

// ReadCSV reads a numeric table of N rows and D columns from r and returns it
// as a float64 Dense of shape [N, D]. name identifies the input in errors,
// usually a file name.
//
// Fields are separated by commas; spaces and tabs around a field are ignored,
// as are a trailing carriage return and a leading UTF-8 byte-order mark.
// Blank lines and lines whose first non-blank character is '#' are skipped.
// The first remaining line is a header, and is skipped, if none of its fields
// parses as a number; otherwise it is the first data row. Fields are parsed
// with strconv.ParseFloat. Every row, and the header if present, must have
// the same number of fields.
//
// ReadCSV returns a *ParseError giving name, the 1-based line number and the
// problem for a row with the wrong number of fields, a field that is not a
// number (quoting the field and giving its column), a NaN or infinite value,
// and a table with no data rows. Errors reading r are returned wrapped.
func ReadCSV(r io.Reader, name string) (*tensor.Dense, error) {
	return readCSV(r, name, math.MaxFloat64, "")
}

// ErrOverflow is the cause (errors.Is) of the *ParseError that LoadCSVAs
// returns for a field too large for the dtype asked for.
var ErrOverflow = errors.New("overflows the dtype")

// LoadCSVAs reads the table in the file at path as LoadCSV does, and also
// refuses a field whose magnitude exceeds the largest value of dtype dt
// (float32: about 3.4e38) with a *ParseError naming its line and column
// whose cause is ErrOverflow. The table is float64, to be cast to dt.
func LoadCSVAs(path string, dt tensor.Dtype) (*tensor.Dense, error) {
	limit := math.MaxFloat64
	if dt == tensor.Float32 {
		limit = math.MaxFloat32
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: LoadCSV: %w", err)
	}
	defer f.Close()
	return readCSV(f, path, limit, dt.String())
}

// overflowError is the cause of a field beyond a dtype's range.
type overflowError struct {
	field, dtype string
	limit        float64
}

func (e *overflowError) Error() string {
	return fmt.Sprintf("field %q overflows %s (largest %.3g)", e.field, e.dtype, e.limit)
}

func (e *overflowError) Is(target error) bool { return target == ErrOverflow }

// readCSV is ReadCSV refusing fields of magnitude above limit, the largest
// value of the dtype named dtype.
func readCSV(r io.Reader, name string, limit float64, dtype string) (*tensor.Dense, error) {
	br := bufio.NewReader(r)
	var (
		values []float64
		rows   int
		width  = -1 // Fields per row, set by the header or the first row.
		line   int
	)
	for {
		text, err := br.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("data: %s: reading line %d: %w", name, line+1, err)
		}
		if text == "" && err != nil {
			break
		}
		line++
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		text = strings.TrimRight(text, "\r\n")
		trimmed := strings.TrimSpace(text)
		if trimmed == "" || trimmed[0] == '#' {
			continue
		}
		fields := strings.Split(text, ",")
		for i, f := range fields {
			fields[i] = strings.Trim(f, " \t")
		}
		if width < 0 {
			width = len(fields)
			if isHeader(fields) {
				continue
			}
		}
		if len(fields) != width {
			return nil, &ParseError{Name: name, Line: line, Err: fmt.Errorf("%s, expected %d", fieldCount(len(fields)), width)}
		}
		for i, f := range fields {
			v, perr := strconv.ParseFloat(f, 64)
			switch {
			case perr != nil && !errors.Is(perr, strconv.ErrRange):
				return nil, &ParseError{Name: name, Line: line, Column: i + 1, Err: fmt.Errorf("field %q is not a number", f)}
			case math.IsNaN(v) || math.IsInf(v, 0):
				return nil, &ParseError{Name: name, Line: line, Column: i + 1, Err: fmt.Errorf("field %q is not finite", f)}
			case math.Abs(v) > limit:
				return nil, &ParseError{Name: name, Line: line, Column: i + 1, Err: &overflowError{field: f, dtype: dtype, limit: limit}}
			}
			values = append(values, v)
		}
		rows++
	}
	if rows == 0 {
		return nil, &ParseError{Name: name, Err: fmt.Errorf("empty table: no data rows in %d lines", line)}
	}
	return tensor.New(tensor.WithShape(rows, width), tensor.WithBacking(values)), nil
}

// isHeader reports whether no field of a row parses as a number.
func isHeader(fields []string) bool {
	for _, f := range fields {
		if _, err := strconv.ParseFloat(f, 64); err == nil || errors.Is(err, strconv.ErrRange) {
			return false
		}
	}
	return true
}

// fieldCount returns "1 field" or "n fields".
func fieldCount(n int) string {
	if n == 1 {
		return "1 field"
	}
	return fmt.Sprintf("%d fields", n)
}
