// Package plot draws the figures used to inspect normalizing flows as PNG
// files: scatter plots of samples, heat maps of a model's density on a grid,
// and training loss curves. It is a thin layer over gonum.org/v1/plot.
//
// Point sets are gorgonia tensors of shape [N, 2] and dtype float32 or
// float64. A Grid describes a rectangle of the plane divided into cells; its
// Points are the inputs at which a model's log density is evaluated, and
// Density draws the result. Every drawing function returns an error, and
// never panics, on empty or malformed input or an unwritable path.
//
// Images are rendered at 96 dots per inch, so a size given in pixels with
// WithSize is the size of the PNG.
package plot
