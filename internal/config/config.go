// Package config reads Tend's settings from flags, with an environment
// variable for every flag: --data-dir is TEND_DATA_DIR, and so on. For
// secrets, TEND_X_FILE names a file holding the value (e.g. a mounted
// secret). A flag given on the command line wins over the environment.
package config

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

// EnvName returns the environment variable for a flag name.
func EnvName(flagName string) string {
	return "TEND_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Parse parses args into fs, then fills each flag not given on the command
// line from its environment variable, or from the file its _FILE variable names.
func Parse(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		name := EnvName(f.Name)
		v, ok := getenv(name), getenv(name) != ""
		if !ok {
			if path := getenv(name + "_FILE"); path != "" {
				b, rerr := os.ReadFile(path)
				if rerr != nil {
					err = fmt.Errorf("%s_FILE: %w", name, rerr)
					return
				}
				v, ok = strings.TrimRight(string(b), "\r\n"), true
			}
		}
		if ok {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = fmt.Errorf("%s=%q: %w", name, v, serr)
			}
		}
	})
	return err
}

// Usage writes a flag set's help, naming each flag's environment variable.
func Usage(fs *flag.FlagSet, intro string) func() {
	return func() {
		out := fs.Output()
		fmt.Fprintln(out, intro)
		fs.VisitAll(func(f *flag.Flag) {
			def := ""
			if f.DefValue != "" && f.DefValue != "false" {
				def = fmt.Sprintf(" (default %s)", f.DefValue)
			}
			fmt.Fprintf(out, "  --%s\n    \t%s%s [%s]\n", f.Name, f.Usage, def, EnvName(f.Name))
		})
	}
}
