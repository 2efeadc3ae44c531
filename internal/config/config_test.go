package config

import (
	"flag"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

func TestFlagsWinOverEnvironmentAndFiles(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "db")
	os.WriteFile(secret, []byte("postgres://from-file\n"), 0o600)
	env := map[string]string{"TEND_ADDR": "0.0.0.0:9", "TEND_DATA_DIR": "/env", "TEND_DATABASE_FILE": secret}
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	addr := fs.String("addr", "localhost:8080", "")
	dir := fs.String("data-dir", "./tend-data", "")
	dbURL := fs.String("database", "", "")
	if err := Parse(fs, []string{"--data-dir", "/flag"}, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if *addr != "0.0.0.0:9" || *dir != "/flag" || *dbURL != "postgres://from-file" {
		t.Errorf("addr %q dir %q db %q", *addr, *dir, *dbURL)
	}
}

func TestTuneGCLeavesAGivenGOGCAlone(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	TuneGC(func(string) string { return "" })
	if got := debug.SetGCPercent(77); got != GCPercent {
		t.Errorf("without GOGC the collector runs at %d, want %d", got, GCPercent)
	}
	TuneGC(func(k string) string {
		if k == "GOGC" {
			return "77"
		}
		return ""
	})
	if got := debug.SetGCPercent(100); got != 77 {
		t.Errorf("with GOGC=77 the collector runs at %d, want GOGC's 77", got)
	}
}
