// Package vi fits a normalizing flow q to a target density p known up to a
// constant by variational inference, and diagnoses the fit by importance
// sampling.
//
// Fit minimises the reverse Kullback-Leibler divergence
//
//	KL(q‖p) = E_q[log q(x) - log p̃(x)] + log Z,  p = p̃/Z,
//
// with reparameterized samples x = f(ε), ε from q's base, through any flow
// whose forward direction is differentiable (an IAF, Invert(MAF), samples
// and scores in one pass). The negative loss is the evidence lower bound
// ELBO = E_q[log p̃ - log q] = log Z - KL(q‖p).
//
// A Target is written in Go either as a function returning log p̃ and its
// gradient for a batch (TargetFunc) or as a Gorgonia graph differentiated
// automatically (GraphTarget); CheckGradient compares a hand-written
// gradient with central finite differences.
//
// Diagnose estimates on fresh samples of q the ELBO with its standard
// error, the importance-sampling effective sample size, log Z as the
// log-mean-exp of the log weights log w = log p̃ - log q, and the Pareto
// k̂ of Pareto-smoothed importance sampling (Vehtari, Simpson, Gelman, Yao
// and Gabry, "Pareto smoothed importance sampling", JMLR 2024): k̂ < 0.7
// says the weights, and so the estimates, can be trusted. Resample draws
// from q's samples in proportion to their weights (sampling-importance
// resampling) to move them toward p.
package vi
