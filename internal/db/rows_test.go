package db

import (
	"slices"
	"strings"
	"testing"
)

func TestChunks(t *testing.T) {
	for n, want := range map[int][]int{0: nil, 1: {1}, 7: {4, 2, 1}, 512: {512}, 1100: {512, 512, 64, 8, 4}} {
		if got := Chunks(n, 512); !slices.Equal(got, want) {
			t.Errorf("Chunks(%d) = %v, want %v", n, got, want)
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
