package ops

// Accessors for the parameters of the flow zoo's gradient ops, which
// devices other than the CPU need to lower them to their own kernels.

// Transform returns the ActNorm this gradient belongs to.
func (op *ActNormGrad) Transform() *ActNorm { return op.an }

// Transform returns the LUMatvec this gradient belongs to.
func (op *LUMatvecGrad) Transform() *LUMatvec { return op.lu }

// LogDet returns the LULogDet this gradient belongs to.
func (op *LULogDetGrad) LogDet() *LULogDet { return op.ld }

// Transform returns the BatchNorm this gradient belongs to.
func (op *BatchNormGrad) Transform() *BatchNorm { return op.bn }

// LogDet returns the BatchNormLogDet this gradient belongs to.
func (op *BatchNormLogDetGrad) LogDet() *BatchNormLogDet { return op.ld }
