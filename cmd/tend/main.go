// Command tend is Tend: the API, the web app, and the device doors in one
// binary. This package only reads flags and wires the parts together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	_ "time/tzdata" // patients' time zones work on machines without tzdata
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "tend:", err)
		}
		os.Exit(1)
	}
}

const usage = `Tend — remote patient monitoring in one binary.

Usage:
  tend serve [flags]          run the server (API, web app, device doors)
  tend migrate [flags]        bring the database schema up to date and exit
  tend admin user add ...     add a user (prints JSON)
  tend admin token create ... make a personal API token (prints JSON)
  tend admin device add ...   register a device and print its credential (JSON)
  tend simulate [flags]       stream simulated patients' readings into a server
  tend version                print the version

Every flag has an environment variable: --data-dir is TEND_DATA_DIR.
Run 'tend COMMAND --help' for a command's flags.`

// run is tend with its surroundings passed in, so tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, args[1:], getenv, stdout, stderr)
	case "admin":
		return admin(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "simulate":
		return simulate(ctx, args[1:], getenv, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "tend", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}
