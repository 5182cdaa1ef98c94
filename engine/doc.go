// Package engine runs Gorgonia graphs built from flow ops.
//
// A Func evaluates a graph from its input nodes to its output nodes. The
// reference executor is Gorgonia's TapeMachine, which tests keep as the
// oracle; Cache builds a Func once per key (a bijector or distribution, a
// direction, an input shape and dtype) and reuses it.
//
// engine knows nothing of bijectors or distributions: it sees only graphs.
package engine
