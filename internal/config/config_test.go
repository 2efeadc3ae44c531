package config

import (
	"flag"
	"os"
	"path/filepath"
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
