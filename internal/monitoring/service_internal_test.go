package monitoring

import "testing"

func TestPositional(t *testing.T) {
	tests := []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`INSERT INTO t VALUES ($1, $2), ($3, $4)`, `INSERT INTO t VALUES (?, ?), (?, ?)`},
		{`UPDATE t SET a = $1, b = $1 WHERE c = $2`, `UPDATE t SET a = $1, b = $1 WHERE c = $2`}, // reused: as written
		{`SELECT $2, $1`, `SELECT $2, $1`},                                                       // reordered: as written
		{`SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11`, `SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?`},
		{`SELECT $1 || '$'`, `SELECT ? || '$'`},
	}
	for _, tt := range tests {
		if got := positional(tt.in); got != tt.want {
			t.Errorf("positional(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
