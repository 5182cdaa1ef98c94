package engine

import "testing"

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	var c Cache
	builds := 0
	get := func(i int) {
		if _, err := c.Get(Key{Owner: i, Kind: "k"}, func() (*Func, error) { builds++; return &Func{}, nil }); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < MaxCached; i++ {
		get(i)
	}
	get(0) // 0 is now the most recently used; 1 the least
	get(MaxCached)
	if c.Len() != MaxCached {
		t.Fatalf("%d cached, want %d", c.Len(), MaxCached)
	}
	b := builds
	get(0)
	if builds != b {
		t.Error("key 0 was evicted though recently used")
	}
	get(1)
	if builds != b+1 {
		t.Error("key 1 was not evicted")
	}
}
