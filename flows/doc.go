// Package flows builds complete flow models from a declarative Spec: the
// architecture (MAF, IAF, RealNVP, neural spline flows, Glow), its sizes,
// seed and dtype. A Spec plus parameter values is everything needed to
// rebuild a model, which is how models are saved and loaded, and how the
// command-line programs choose a flow with -flow.
package flows
