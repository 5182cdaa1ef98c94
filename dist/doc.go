// Package dist holds probability distributions over [N, D] batches of
// events: MultivariateNormalDiag and TransformedDistribution, with TFP's
// formulas.
//
// Sampling takes an explicit random source (*rand.Rand from math/rand/v2);
// there is no hidden global generator. Densities are computed by graphs of
// flow ops (see package ops), built once per input shape and cached.
package dist
