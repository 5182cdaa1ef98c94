package vi

import (
	"math"
	"math/rand/v2"
	"testing"
)

// KL(N(mq, sq²) ‖ N(mp, sp²)) summed over independent dimensions.
func gaussKL(mq, sq, mp, sp []float64) float64 {
	var kl float64
	for j := range mq {
		kl += math.Log(sp[j]/sq[j]) + (sq[j]*sq[j]+(mq[j]-mp[j])*(mq[j]-mp[j]))/(2*sp[j]*sp[j]) - 0.5
	}
	return kl
}

// The ELBO of q against an unnormalized Gaussian target is log Z - KL in
// closed form; log Z's estimate is log Z; the ESS fraction is
// 1/E_q[(p/q)²] = Π_j sp²·√(2/sp² - 1/sq²)/sq for equal means. q is wider
// than p, so the weights are bounded.
func TestDiagnoseGaussian(t *testing.T) {
	mq, sq := []float64{0.5, -1}, []float64{1.3, 1.1}
	mp, sp := []float64{0.5, -1}, []float64{1, 0.9}
	const logZ = 2.5
	q := affineQ(t, mq, sq)
	d, err := Diagnose(q, gaussian(mp, sp, logZ), 200000, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	want := logZ - gaussKL(mq, sq, mp, sp)
	if math.Abs(d.ELBO-want) > 5*d.ELBOStdErr || d.ELBOStdErr <= 0 || d.ELBOStdErr > 0.01 {
		t.Errorf("ELBO %.5f ± %.5f, expected log Z - KL = %.5f within 5 standard errors", d.ELBO, d.ELBOStdErr, want)
	}
	if math.Abs(d.LogZ-logZ) > 0.01 {
		t.Errorf("log Z estimate %.5f, expected %.5f ± 0.01", d.LogZ, logZ)
	}
	ess := 1.0
	for j := range sq {
		ess *= sp[j] * sp[j] * math.Sqrt(2/(sp[j]*sp[j])-1/(sq[j]*sq[j])) / sq[j]
	}
	if math.Abs(d.ESSFraction-ess) > 0.01 {
		t.Errorf("ESS fraction %.4f, expected %.4f ± 0.01", d.ESSFraction, ess)
	}
	if d.KHat > 0 {
		t.Errorf("k-hat %.3f for bounded weights, expected a negative shape", d.KHat)
	}
	// Different means: the ELBO still matches log Z - KL.
	mq2 := []float64{0, -0.5}
	d, err = Diagnose(affineQ(t, mq2, sq), gaussian(mp, sp, logZ), 200000, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	if want := logZ - gaussKL(mq2, sq, mp, sp); math.Abs(d.ELBO-want) > 5*d.ELBOStdErr {
		t.Errorf("shifted q: ELBO %.5f ± %.5f, expected %.5f", d.ELBO, d.ELBOStdErr, want)
	}
}

// A q narrower than p in a dimension gives weights of infinite variance:
// k̂ must warn (> 0.5), and at q = p the weights are all 1.
func TestDiagnoseNarrowQ(t *testing.T) {
	q := affineQ(t, []float64{0}, []float64{0.6})
	d, err := Diagnose(q, gaussian([]float64{0}, []float64{1}, 0), 20000, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	// w ∝ exp(a x²), a = (1/sq² - 1/sp²)/2, x ~ N(0, sq²):
	// P(w > t) ∝ t^(-1/(2a sq²)), a Pareto tail of index ξ = 1 - sq²/sp² = 0.64.
	if math.Abs(d.KHat-0.64) > 0.15 {
		t.Errorf("k-hat %.3f, expected the tail index 1 - sq²/sp² = 0.64 ± 0.15", d.KHat)
	}
	same, err := Diagnose(q, gaussian([]float64{0}, []float64{0.6}, 0), 1000, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(same.ELBO) > 1e-9 || math.Abs(same.ESSFraction-1) > 1e-9 || math.Abs(same.LogZ) > 1e-9 {
		t.Errorf("q = p: %v, expected ELBO = log Z = 0 and ESS fraction 1", same)
	}
}

func TestSummarizeErrors(t *testing.T) {
	if _, err := Summarize(make([]float64, 10)); err == nil {
		t.Error("10 log weights: no error, expected one asking for at least 25")
	}
	lw := make([]float64, 30)
	lw[4] = math.NaN()
	if _, err := Summarize(lw); err == nil {
		t.Error("a NaN log weight: no error")
	}
}
