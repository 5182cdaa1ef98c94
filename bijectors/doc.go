// Package bijectors holds invertible, differentiable maps with tractable
// log-det-Jacobians, following TensorFlow Probability's conventions.
//
// The contract (TFP's):
//
//   - Forward maps base space to data space: it is the sampling direction.
//     Inverse maps data space to base space: the density direction.
//   - Log-det-Jacobians reduce over the event: for a batch x [N, D],
//     ForwardLogDetJacobian(x) is [N] with entry n = log|det ∂f(x_n)/∂x_n|,
//     and InverseLogDetJacobian(y) = -ForwardLogDetJacobian(Inverse(y)).
//   - Chain(b1, b2) applies b2 first, as tfb.Chain([b1, b2]).
//   - Permute(perm): y[i] = x[perm[i]].
//   - Invert(b) swaps the directions; IAF = Invert(MAF).
//
// The bijectors: Shift, Scale, ScaleMatvecDiag, ScaleMatvecLU, Exp,
// Sigmoid, Tanh, Softplus, Permute, Chain, Invert, ActNorm,
// BatchNormalization, RationalQuadraticSpline, and the flows built from
// conditioner networks: MaskedAutoregressiveFlow and
// MaskedAutoregressiveSpline on an AutoregressiveNetwork (MADE, optionally
// conditional on Graph.Context), RealNVP and NeuralSplineCoupling on a
// CouplingNetwork, and GlowStep (ActNorm, LU, coupling).
//
// A Bijector is defined by its two graph-building primitives, ForwardNode
// and InverseNode, which add the map and its log-det to a Graph; training
// differentiates those graphs. The eager functions Forward, Inverse,
// ForwardLogDetJacobian and InverseLogDetJacobian build, cache (per bijector,
// direction, shape and dtype) and run the same graphs on [N, D] tensors.
package bijectors
