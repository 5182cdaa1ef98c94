package dist

import (
	"math/rand/v2"
	"sync"

	"github.com/nflowgo/nflow/engine"
)

// deviceCache holds compiled device functions by key.
type deviceCache[T any] struct {
	mu sync.Mutex
	m  map[engine.Key]T
}

func (c *deviceCache[T]) get(k engine.Key, build func() (T, error)) (T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.m[k]; ok {
		return f, nil
	}
	f, err := build()
	if err != nil {
		return f, err
	}
	if c.m == nil {
		c.m = map[engine.Key]T{}
	}
	c.m[k] = f
	return f, nil
}

var (
	deviceFuncs    deviceCache[engine.Caller]
	deviceSamplers deviceCache[engine.Sampler]
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x73616d70)) }
