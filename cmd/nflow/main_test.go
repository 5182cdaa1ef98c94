package main

import (
	"bufio"
	"bytes"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/data"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/flows"
	"github.com/nflowgo/nflow/train"
	"gorgonia.org/tensor"
)

// nflow runs the command in-process and returns its status and output.
func nflow(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

// moonsCSV writes n two-moons points with a header to a file in dir.
func moonsCSV(t *testing.T, dir string, n int) string {
	t.Helper()
	x, _, err := data.MakeMoons(n, 0.05, 1)
	if err != nil {
		t.Fatal(err)
	}
	return writeCSV(t, dir, "moons.csv", x, []string{"x", "y"})
}

func writeCSV(t *testing.T, dir, name string, x *tensor.Dense, header []string) string {
	t.Helper()
	var b bytes.Buffer
	if err := data.WriteCSV(&b, x, header); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, name, b.String())
}

func writeFile(t *testing.T, dir, name, contents string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(contents), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// fitArgs are quick fit flags: 2 epochs of a small flow.
func fitArgs(csv, model string, extra ...string) []string {
	return append([]string{"fit", "-data", csv, "-out", model, "-epochs", "2", "-layers", "2",
		"-hidden", "16,16", "-batch", "32", "-seed", "3"}, extra...)
}

// readColumn reads a one-column CSV with a header.
func readColumn(t *testing.T, path string) (string, []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	header := sc.Text()
	var rows []string
	for sc.Scan() {
		rows = append(rows, sc.Text())
	}
	return header, rows
}

func TestSubcommands(t *testing.T) {
	dir := t.TempDir()
	csv := moonsCSV(t, dir, 300)
	model := filepath.Join(dir, "model.nflow")
	loss := filepath.Join(dir, "loss.png")

	code, out, log := nflow(fitArgs(csv, model, "-loss", loss, "-val", "0.2", "-patience", "5")...)
	if code != 0 {
		t.Fatalf("fit: status %d\n%s", code, log)
	}
	for _, want := range []string{"epoch 1/2", "epoch 2/2", "240 for training, 60 for validation", "wrote " + model} {
		if !strings.Contains(log, want) {
			t.Errorf("fit: stderr lacks %q:\n%s", want, log)
		}
	}
	for _, want := range []string{"train NLL ", "(240 points)", "validation NLL ", "(60 points)", "best epoch"} {
		if !strings.Contains(out, want) {
			t.Errorf("fit: stdout lacks %q:\n%s", want, out)
		}
	}
	for _, p := range []string{model, loss} {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("fit did not write %s: %v", p, err)
		}
	}

	samples := filepath.Join(dir, "samples.csv")
	if code, _, log := nflow("sample", "-model", model, "-n", "123", "-seed", "5", "-out", samples); code != 0 {
		t.Fatalf("sample: status %d\n%s", code, log)
	}
	x, err := data.LoadCSV(samples)
	if err != nil {
		t.Fatal(err)
	}
	if s := x.Shape(); s[0] != 123 || s[1] != 2 {
		t.Errorf("sample wrote shape %v, expected [123 2]", s)
	}
	if h, _ := readColumn(t, samples); h != "x0,x1" {
		t.Errorf("sample header %q, expected x0,x1", h)
	}
	// The same seed to stdout gives the same points.
	code, out, _ = nflow("sample", "-model", model, "-n", "123", "-seed", "5")
	if b, _ := os.ReadFile(samples); code != 0 || out != string(b) {
		t.Errorf("sample to stdout (status %d) differs from the file", code)
	}

	lp := filepath.Join(dir, "lp.csv")
	if code, _, log := nflow("logprob", "-model", model, "-data", csv, "-out", lp); code != 0 {
		t.Fatalf("logprob: status %d\n%s", code, log)
	}
	if h, rows := readColumn(t, lp); h != "log_prob" || len(rows) != 300 {
		t.Errorf("logprob wrote header %q and %d rows, expected log_prob and 300", h, len(rows))
	}

	png := filepath.Join(dir, "density.png")
	code, _, log = nflow("density", "-model", model, "-out", png, "-grid", "40")
	if code != 0 {
		t.Fatalf("density: status %d\n%s", code, log)
	}
	if b, err := os.ReadFile(png); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("density did not write a PNG: %v", err)
	}
	if !strings.Contains(log, "probability mass in the window") {
		t.Errorf("density: stderr %q", log)
	}
	if code, _, log := nflow("density", "-model", model, "-out", png, "-range", "-2,3,-1.5,2", "-grid", "30"); code != 0 {
		t.Errorf("density -range: status %d\n%s", code, log)
	}
}

// moonsLabels writes the moon (0 or 1) of each of moonsCSV's n points,
// the context of a conditional flow.
func moonsLabels(t *testing.T, dir string, n int) string {
	t.Helper()
	_, labels, err := data.MakeMoons(n, 0.05, 1)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("moon\n")
	for _, l := range labels {
		b.WriteString(strconv.Itoa(l) + "\n")
	}
	return writeFile(t, dir, "moon.csv", b.String())
}

// TestReloadIsExact fits in-process, keeps the model in memory, and checks
// that the saved file's log-densities (as nflow logprob writes them) are
// bit-identical and agree with train.MeanNLL.
func TestReloadIsExact(t *testing.T) {
	for _, c := range []struct {
		name, dtype string
		context     bool
	}{{"float32", "float32", false}, {"float64", "float64", false}, {"conditional", "float32", true}} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			csv := moonsCSV(t, dir, 300)
			model := filepath.Join(dir, "model.nflow")
			args := fitArgs(csv, model, "-dtype", c.dtype)
			lpArgs := []string{"logprob", "-model", model, "-data", csv, "-out", filepath.Join(dir, "lp.csv")}
			ctxPath := ""
			if c.context {
				ctxPath = moonsLabels(t, dir, 300)
				args = append(args, "-context", ctxPath)
				lpArgs = append(lpArgs, "-context", ctxPath)
			}
			fs := flag.NewFlagSet("fit", flag.ContinueOnError)
			o := fitFlags(fs).(*fitOptions)
			if err := fs.Parse(args[1:]); err != nil {
				t.Fatal(err)
			}
			if err := o.check(); err != nil {
				t.Fatal(err)
			}
			f, err := fit(o, new(bytes.Buffer), nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := flows.SaveFile(model, f.spec, f.model); err != nil {
				t.Fatal(err)
			}
			if code, _, log := nflow(lpArgs...); code != 0 {
				t.Fatalf("logprob: status %d\n%s", code, log)
			}
			_, rows := readColumn(t, lpArgs[6])

			x, err := loadPoints(csv, model, f.model)
			if err != nil {
				t.Fatal(err)
			}
			ctx, err := loadContext(ctxPath, model, f.model, 300, csv)
			if err != nil {
				t.Fatal(err)
			}
			want, err := logProbs(f.model, x, ctx)
			if err != nil {
				t.Fatal(err)
			}
			bits := 32
			if c.dtype == "float64" {
				bits = 64
			}
			sum := 0.0
			for i, r := range rows {
				v, err := strconv.ParseFloat(r, bits)
				if err != nil {
					t.Fatalf("row %d: %v", i+1, err)
				}
				if math.Float64bits(v) != math.Float64bits(want[i]) {
					t.Fatalf("row %d: log_prob %v from the file, %v from the model in memory", i+1, v, want[i])
				}
				sum -= v
			}
			var nll float64
			if ctx == nil {
				nll, err = train.MeanNLL(f.model, x)
			} else {
				nll, err = train.MeanNLLGiven(f.model, x, ctx)
			}
			if err != nil {
				t.Fatal(err)
			}
			if mean := sum / float64(len(rows)); math.Abs(mean-nll) > 1e-9*math.Max(1, math.Abs(nll)) {
				t.Errorf("mean -log_prob %v, train.MeanNLL %v", mean, nll)
			}
			// The reported NLLs are the same numbers, split into the
			// training and validation points.
			split := (float64(f.nTrain)*f.trainNLL + float64(f.nVal)*f.valNLL) / float64(f.nTrain+f.nVal)
			if math.Abs(split-nll) > 1e-5*math.Max(1, math.Abs(nll)) {
				t.Errorf("train and validation NLL combine to %v, the whole file's is %v", split, nll)
			}
			// And the reloaded model agrees bit for bit, samples included.
			_, m2, err := flows.LoadFile(model)
			if err != nil {
				t.Fatal(err)
			}
			got, err := logProbs(m2, x, ctx)
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("row %d: reloaded log_prob %v, in memory %v", i+1, got[i], want[i])
				}
			}
			sameSamples(t, f.model, m2, ctx)
		})
	}
}

// sameSamples checks that a and b draw the same samples, given the
// context c unless it is nil.
func sameSamples(t *testing.T, a, b *dist.TransformedDistribution, c *tensor.Dense) {
	t.Helper()
	var outs [2][]float64
	for i, m := range []*dist.TransformedDistribution{a, b} {
		rng := rand.New(rand.NewPCG(9, 0))
		var s *tensor.Dense
		var err error
		if c == nil {
			s, err = m.Sample(50, rng)
		} else {
			s, err = dist.SampleGiven(m, c.Shape()[0], c, rng)
		}
		if err != nil {
			t.Fatal(err)
		}
		outs[i] = dist.Float64s(s)
	}
	for i := range outs[0] {
		if math.Float64bits(outs[0][i]) != math.Float64bits(outs[1][i]) {
			t.Fatalf("sample %d: %v in memory, %v reloaded", i, outs[0][i], outs[1][i])
		}
	}
}

func TestConditional(t *testing.T) {
	dir := t.TempDir()
	csv, labels := moonsCSV(t, dir, 300), moonsLabels(t, dir, 300)
	one := writeFile(t, dir, "one.csv", "moon\n1\n")
	model := filepath.Join(dir, "cond.nflow")
	code, _, log := nflow(fitArgs(csv, model, "-context", labels)...)
	if code != 0 {
		t.Fatalf("fit -context: status %d\n%s", code, log)
	}
	if !strings.Contains(log, "given 1 context values from "+labels) {
		t.Errorf("fit -context: stderr %q", log)
	}
	s1 := filepath.Join(dir, "s1.csv")
	if code, _, log := nflow("sample", "-model", model, "-context", one, "-n", "77", "-out", s1); code != 0 {
		t.Fatalf("sample -context one row: status %d\n%s", code, log)
	}
	if x, err := data.LoadCSV(s1); err != nil || x.Shape()[0] != 77 {
		t.Errorf("sample -context one row: %v, %v", x, err)
	}
	sAll := filepath.Join(dir, "sall.csv")
	if code, _, log := nflow("sample", "-model", model, "-context", labels, "-out", sAll); code != 0 {
		t.Fatalf("sample -context per row: status %d\n%s", code, log)
	}
	if x, err := data.LoadCSV(sAll); err != nil || x.Shape()[0] != 300 {
		t.Errorf("sample -context per row: %v, %v", x, err)
	}
	if code, _, log := nflow("logprob", "-model", model, "-data", csv, "-context", labels, "-out", filepath.Join(dir, "lp.csv")); code != 0 {
		t.Errorf("logprob -context: status %d\n%s", code, log)
	}
	if code, _, log := nflow("density", "-model", model, "-context", one, "-grid", "20", "-out", filepath.Join(dir, "d.png")); code != 0 {
		t.Errorf("density -context: status %d\n%s", code, log)
	}

	plain := filepath.Join(dir, "plain.nflow")
	if code, _, log := nflow(fitArgs(csv, plain)...); code != 0 {
		t.Fatalf("fit: status %d\n%s", code, log)
	}
	short := writeFile(t, dir, "short.csv", "moon\n0\n1\n")
	wide := writeFile(t, dir, "wide.csv", "a,b\n0,1\n")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"fit rows", fitArgs(csv, model, "-context", short), "short.csv has 2 rows and " + csv + " has 300"},
		{"fit ragged context", fitArgs(csv, model, "-context", writeFile(t, dir, "r.csv", "1\n2,3\n")), "r.csv: line 2"},
		{"sample needs context", []string{"sample", "-model", model}, "conditional on 1 context values: give them with -context"},
		{"sample not conditional", []string{"sample", "-model", plain, "-context", one}, "is not conditional"},
		{"sample -n and rows", []string{"sample", "-model", model, "-context", labels, "-n", "5"}, "-n=5, but " + labels + " has 300 rows"},
		{"logprob rows", []string{"logprob", "-model", model, "-data", csv, "-context", short}, "short.csv has 2 rows"},
		{"logprob width", []string{"logprob", "-model", model, "-data", csv, "-context", wide}, "wide.csv has 2 columns, but the model"},
		{"density rows", []string{"density", "-model", model, "-context", labels}, "a density plot is for one context"},
		{"density needs context", []string{"density", "-model", model}, "give them with -context"},
	} {
		code, _, stderr := nflow(c.args...)
		if code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: status %d, stderr %q, expected 1 and %q", c.name, code, stderr, c.want)
		}
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	csv := moonsCSV(t, dir, 300)
	model := filepath.Join(dir, "model.nflow")
	if code, _, log := nflow(fitArgs(csv, model)...); code != 0 {
		t.Fatalf("fit: status %d\n%s", code, log)
	}
	x3 := tensor.New(tensor.WithShape(40, 3), tensor.WithBacking(make([]float64, 120)))
	for i := range x3.Float64s() {
		x3.Float64s()[i] = math.Sin(float64(i))
	}
	csv3 := writeCSV(t, dir, "three.csv", x3, []string{"a", "b", "c"})
	model3 := filepath.Join(dir, "three.nflow")
	if code, _, log := nflow(fitArgs(csv3, model3, "-epochs", "1", "-val", "0")...); code != 0 {
		t.Fatalf("fit 3-D: status %d\n%s", code, log)
	}
	ragged := writeFile(t, dir, "ragged.csv", "x,y\n1,2\n3,4\n5\n6,7\n")
	words := writeFile(t, dir, "words.csv", "1,2\n3,four\n")
	empty := writeFile(t, dir, "empty.csv", "x,y\n")
	garbage := writeFile(t, dir, "garbage.nflow", "this is not a model at all")
	good, _ := os.ReadFile(model)
	truncated := writeFile(t, dir, "truncated.nflow", string(good[:len(good)/2]))
	missing := filepath.Join(dir, "missing.csv")

	for _, c := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"no command", nil, 2, []string{"Commands:"}},
		{"unknown command", []string{"fitt"}, 2, []string{`unknown command "fitt"`, "fit, sample, logprob, density"}},
		{"help unknown", []string{"help", "plot"}, 2, []string{`unknown command "plot"`}},
		{"missing data flag", []string{"fit"}, 2, []string{"-data is required"}},
		{"missing file", fitArgs(missing, model), 1, []string{"missing.csv", "no such file"}},
		{"ragged CSV", fitArgs(ragged, model), 1, []string{"ragged.csv: line 4: 1 field, expected 2"}},
		{"not a number", fitArgs(words, model), 1, []string{"words.csv: line 2: column 2", `"four" is not a number`}},
		{"empty CSV", fitArgs(empty, model), 1, []string{"empty.csv", "no data rows"}},
		{"bad int", []string{"fit", "-data", csv, "-epochs", "ten"}, 2, []string{`invalid value "ten" for flag -epochs`}},
		{"unknown flag", []string{"fit", "-data", csv, "-colour", "red"}, 2, []string{"flag provided but not defined: -colour"}},
		{"unknown flow", []string{"fit", "-data", csv, "-flow", "nope"}, 2, []string{`-flow="nope": unknown flow`, "maf"}},
		{"bad hidden", []string{"fit", "-data", csv, "-hidden", "16,x"}, 2, []string{`-hidden="16,x": "x" is not a positive integer`}},
		{"bad activation", []string{"fit", "-data", csv, "-activation", "swish"}, 2, []string{"swish"}},
		{"bad dtype", []string{"fit", "-data", csv, "-dtype", "int8"}, 2, []string{"int8"}},
		{"bad val", []string{"fit", "-data", csv, "-val", "1.5"}, 2, []string{"-val=1.5"}},
		{"bad lr", []string{"fit", "-data", csv, "-lr", "-1"}, 2, []string{"-lr=-1"}},
		{"stray argument", []string{"fit", "-data", csv, "extra"}, 2, []string{`unexpected argument "extra"`}},
		{"sample no model", []string{"sample"}, 2, []string{"-model is required"}},
		{"sample bad n", []string{"sample", "-model", model, "-n", "0"}, 2, []string{"-n=0"}},
		{"missing model", []string{"sample", "-model", filepath.Join(dir, "nope.nflow")}, 1, []string{"nope.nflow", "no such file"}},
		{"garbage model", []string{"sample", "-model", garbage}, 1, []string{"garbage.nflow", "not an nflow model file"}},
		{"truncated model", []string{"logprob", "-model", truncated, "-data", csv}, 1, []string{"truncated.nflow", "truncated"}},
		{"wrong width", []string{"logprob", "-model", model, "-data", csv3}, 1, []string{"three.csv has 3 columns, but the model", "takes points of 2"}},
		{"logprob ragged", []string{"logprob", "-model", model, "-data", ragged}, 1, []string{"ragged.csv: line 4"}},
		{"density 3-D", []string{"density", "-model", model3, "-out", filepath.Join(dir, "d.png")}, 1, []string{"three.nflow is a 3-D model", "need a 2-D model"}},
		{"density bad range", []string{"density", "-model", model, "-range", "1,2,3"}, 2, []string{"four numbers"}},
		{"density empty range", []string{"density", "-model", model, "-range", "1,1,0,1"}, 2, []string{"xmin < xmax"}},
		{"density overflowing range", []string{"density", "-model", model, "-range", "-1e308,1e308,-1,1"}, 2, []string{`-range="-1e308,1e308,-1,1": grid x range [-1e+308, 1e+308] is +Inf wide`}},
		{"density bad grid", []string{"density", "-model", model, "-grid", "1"}, 2, []string{"-grid=1"}},
		{"fit into a missing folder", fitArgs(csv, filepath.Join(dir, "no", "m.nflow")), 1, []string{"cannot write", "does not exist"}},
		{"unwritable output", []string{"sample", "-model", model, "-out", filepath.Join(dir, "no", "such", "dir.csv")}, 1, []string{"dir.csv"}},
	} {
		code, _, stderr := nflow(c.args...)
		if code != c.code {
			t.Errorf("%s: status %d, expected %d\n%s", c.name, code, c.code, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", c.name, w, stderr)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "d.png")); err == nil {
		t.Error("density of a 3-D model wrote a file")
	}
}

func TestHelp(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"help"}, []string{"Commands:", "fit", "sample", "logprob", "density"}},
		{[]string{"-h"}, []string{"Commands:"}},
		{[]string{"help", "fit"}, []string{"Usage: nflow fit", "-data", "-patience", "-flow", "maf"}},
		{[]string{"fit", "-h"}, []string{"Usage: nflow fit", "-val"}},
		{[]string{"sample", "-help"}, []string{"Usage: nflow sample", "-seed"}},
		{[]string{"logprob", "-h"}, []string{"Usage: nflow logprob", "log_prob"}},
		{[]string{"density", "-h"}, []string{"Usage: nflow density", "-range", "-grid"}},
	} {
		code, out, stderr := nflow(c.args...)
		if code != 0 || stderr != "" {
			t.Errorf("%v: status %d, stderr %q", c.args, code, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: help lacks %q:\n%s", c.args, w, out)
			}
		}
	}
}
