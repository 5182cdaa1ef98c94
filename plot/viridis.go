package plot

import (
	"image/color"

	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
)

// viridisControls are ten evenly spaced samples of matplotlib's viridis
// colour map, from dark purple through blue and green to yellow. Their
// lightness increases monotonically.
var viridisControls = []color.Color{
	color.NRGBA{0x44, 0x01, 0x54, 0xff},
	color.NRGBA{0x48, 0x28, 0x78, 0xff},
	color.NRGBA{0x3e, 0x4a, 0x89, 0xff},
	color.NRGBA{0x31, 0x68, 0x8e, 0xff},
	color.NRGBA{0x26, 0x82, 0x8e, 0xff},
	color.NRGBA{0x1f, 0x9e, 0x89, 0xff},
	color.NRGBA{0x35, 0xb7, 0x79, 0xff},
	color.NRGBA{0x6d, 0xcd, 0x59, 0xff},
	color.NRGBA{0xb4, 0xde, 0x2c, 0xff},
	color.NRGBA{0xfd, 0xe7, 0x25, 0xff},
}

// viridis returns a viridis-like colour map on [min, max]: the controls above
// joined with lightness varying linearly with the value, as
// moreland.NewLuminance does.
func viridis(min, max float64) (palette.ColorMap, error) {
	cm, err := moreland.NewLuminance(viridisControls)
	if err != nil {
		return nil, err
	}
	cm.SetMin(min)
	cm.SetMax(max)
	return cm, nil
}
