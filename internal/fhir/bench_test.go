package fhir

import (
	"strings"
	"testing"
)

func BenchmarkObservationToReading(b *testing.B) {
	data := []byte(standardsBP)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		obs, err := ParseObservation(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ToReading(obs); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTransaction100(b *testing.B) {
	entries := make([]string, 100)
	for i := range entries {
		entries[i] = post(edit(b, temperature, `identifier.0.value="t-`+strings.Repeat("x", i%7)+`"`))
	}
	data := []byte(bundleOf("transaction", entries...))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		tx, err := ParseTransaction(data)
		if err != nil || tx.Err() != nil {
			b.Fatal(err, tx.Err())
		}
	}
}
