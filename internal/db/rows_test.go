package db

import (
	"slices"
	"strings"
	"testing"
)

func TestChunks(t *testing.T) {
	for n, want := range map[int][]int{0: nil, 1: {1}, 7: {7}, 8: {8}, 9: {8, 1}, 30: {16, 8, 6}, 512: {512}, 1100: {512, 512, 64, 8, 4}} {
		if got := Chunks(n, 512); !slices.Equal(got, want) {
			t.Errorf("Chunks(%d) = %v, want %v", n, got, want)
		}
	}
	if got := Chunks(7, 4); !slices.Equal(got, []int{4, 3}) {
		t.Errorf("Chunks(7, 4) = %v, want no shape above 4", got)
	}
	// Every shape Chunks gives is one that Shapes lists.
	shapes := Shapes(512)
	if !slices.Equal(shapes, []int{512, 256, 128, 64, 32, 16, 8, 7, 6, 5, 4, 3, 2, 1}) {
		t.Errorf("Shapes(512) = %v", shapes)
	}
	for n := range 2000 {
		for _, k := range Chunks(n, 512) {
			if !slices.Contains(shapes, k) {
				t.Fatalf("Chunks(%d) gives %d rows, a shape Shapes does not list", n, k)
			}
		}
	}
}

func TestValues(t *testing.T) {
	var s, p strings.Builder
	Values(&s, SQLite, 2, 3)
	Values(&p, Postgres, 2, 3)
	if s.String() != "(?,?,?),(?,?,?)" || p.String() != "($1,$2,$3),($4,$5,$6)" {
		t.Errorf("got %q and %q", s.String(), p.String())
	}
}
