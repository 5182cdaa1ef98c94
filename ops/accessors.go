package ops

// Accessors for the parameters of gradient ops, which devices other than
// the CPU need to lower them to their own kernels.

// Layer returns the dense layer this gradient belongs to.
func (op *DenseGradX) Layer() *Dense { return op.d }

// Layer returns the dense layer this gradient belongs to.
func (op *DenseGradW) Layer() *Dense { return op.d }

// Transform returns the affine transform this gradient belongs to.
func (op *AffineARGrad) Transform() *AffineAR { return op.ar }

// Reduction returns the log-det reduction this gradient belongs to.
func (op *LogScaleSumGrad) Reduction() *LogScaleSum { return op.ls }

// Density returns the Gaussian log-density this gradient belongs to.
func (op *NormalLogProbGrad) Density() *NormalLogProb { return op.lp }

// Constant returns Σ_d -log s_d - ½ log 2π, the density's normalising term.
func (op *NormalLogProb) Constant() float64 { return op.c }

// Values returns the mask's entries (0 or 1), row-major.
func (op *Mask) Values() []float64 { return append([]float64(nil), op.m64...) }

// Mode reports what the op computes: 0 f(x), 1 g·f'(x), 2 Σ_d log|f'(x)|,
// 3 g·(log|f'|)'(x).
func (op *Pointwise) Mode() int { return int(op.mode) }

// InversePerm returns the inverse permutation.
func (op *Gather) InversePerm() []int { return append([]int(nil), op.inv...) }
