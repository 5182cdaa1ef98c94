// Package ops holds the flow ops: custom gorgonia.Op types for what
// normalizing-flow bijectors compute.
//
// Every op works on row-major [N, D] batches (log-densities are [N]) in
// float32 or float64. Each op has
//
//   - a CPU kernel (Exec32, Exec64) that writes into a caller-owned output
//     buffer and never allocates, which the compiled engine calls directly;
//   - a Do method for Gorgonia's TapeMachine, which allocates the output and
//     calls the same kernel;
//   - a SymDiff method that expresses its gradient with further flow ops, so
//     that gorgonia.Grad of a flow's loss yields a graph of flow ops only
//     (plus the Add nodes Gorgonia inserts to accumulate gradients).
//
// The fused ops are: Dense and DenseAdd (dense layers with bias or a
// context term and activation; Mask applies a MADE mask once per graph),
// AffineAR (the affine autoregressive transform), LogScaleSum (the row-sum
// log-det reduction), NormalLogProb (the diagonal Gaussian log-density),
// Gather (column permutation), NegMean (the loss), Pointwise (elementwise
// bijections and their log-dets), RQSplineKnots, RQSpline and
// RQSplineLogDet (rational-quadratic splines), Columns and Concat
// (coupling splits), ActNorm, LUMatvec (ScaleMatvecLU) and BatchNorm, each
// with its log-det and gradient ops.
package ops
