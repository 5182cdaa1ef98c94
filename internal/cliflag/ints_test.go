package cliflag

import (
	"slices"
	"strings"
	"testing"
)

func TestPositiveInts(t *testing.T) {
	got, err := PositiveInts(" 128, 64 ,1")
	if err != nil || !slices.Equal(got, []int{128, 64, 1}) {
		t.Errorf("got %v %v", got, err)
	}
	for _, bad := range []string{"", "1,,2", "0", "-3", "x", "2.5"} {
		if _, err := PositiveInts(bad); err == nil || !strings.Contains(err.Error(), "not a positive integer") {
			t.Errorf("%q: error %v", bad, err)
		}
	}
}
