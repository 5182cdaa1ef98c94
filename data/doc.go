// Package data provides the toy data sets and the table input and output
// used to train and inspect normalizing flows.
//
// MakeMoons and MakeCircles follow scikit-learn's make_moons and
// make_circles: two interleaved classes in the plane, returned as a float64
// *tensor.Dense of shape [n, 2] with one label per row. Both are seeded and
// so reproducible.
//
// ReadCSV, LoadCSV and WriteCSV move [N, D] numeric tables between
// comma-separated text and float64 tensors; ReadCSV rejects malformed input
// with a *ParseError naming the file, the line and the problem. Cast converts
// between the float32 and float64 dtypes.
package data
