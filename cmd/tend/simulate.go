package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/tend-health/tend/internal/config"
	sim "github.com/tend-health/tend/internal/simulate"
)

const simulateIntro = `Usage: tend simulate [flags]
Streams realistic readings for N simulated patients into a running Tend,
through any door: http (JSON batches), fhir, mqtt, mllp (HL7 v2), gatt (raw
Bluetooth values over HTTP) or mixed (each kind of device its usual door).
With an administrator's token it first creates (or reuses) the patients and
one device per patient and kind; --devices-file keeps their credentials for
later runs without a token. It prints progress, and a summary at the end
(sent, stored, duplicate, refused by reason, errors, rate).

With --scenario it stages clinical events instead, each on a patient of its
own whose care team is --nurse and --doctor, and exits: out-of-range (a
blood pressure of 192/124), missed (a blood pressure due in two minutes that
never comes) and news2 (vitals scoring NEWS2 7). Each raises its alert for
the nurse, which goes to the doctor when nobody acknowledges it within the
server's --escalation-wait.

Examples:
  tend simulate --token-file admin.token --scenario all
  tend simulate --url http://localhost:8080 --token-file admin.token --patients 20 --backfill 30d --live=false
  tend simulate --token-file admin.token --door mixed --out-of-range 0.01 --gaps 0.05 --disable-device
  tend simulate --token-file admin.token --patients 100 --rate 5000 --duration 1m`

// span is a duration flag that also takes days: 30d, 1d12h, 90m.
type span struct{ d *time.Duration }

func (s span) String() string {
	if s.d == nil {
		return "0s"
	}
	return s.d.String()
}

func (s span) Set(v string) error {
	d, err := parseSpan(v)
	if err != nil {
		return err
	}
	*s.d = d
	return nil
}

func parseSpan(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	var days time.Duration
	if i := strings.IndexByte(v, 'd'); i >= 0 {
		n, err := strconv.ParseFloat(v[:i], 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q: days must be a number, as in 30d or 1d12h", v)
		}
		days = time.Duration(n * float64(24*time.Hour))
		v = v[i+1:]
		if v == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%q: give a duration such as 30d, 12h or 90s", v)
	}
	return days + d, nil
}

func simulate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var (
		cfg       sim.Config
		door      string
		tokenFile string
		scenarios string
		nurse     string
		doctor    string
	)
	fs := newFlagSet("simulate", simulateIntro, stderr)
	fs.StringVar(&cfg.URL, "url", "http://localhost:8080", "Tend's address")
	fs.StringVar(&cfg.Token, "token", "", "an administrator's API token, to set up patients and devices (see tend admin token create)")
	fs.StringVar(&tokenFile, "token-file", "", "a file holding the administrator's API token")
	fs.StringVar(&cfg.DevicesFile, "devices-file", "", "write the devices' ids and credentials here after the setup, or read them from here when there is no token")
	fs.IntVar(&cfg.Patients, "patients", 10, "how many patients ("+sim.ProfileNames()+", in turn)")
	fs.StringVar(&door, "door", "http", "http, fhir, mqtt, mllp, gatt or mixed")
	fs.StringVar(&cfg.FHIRMode, "fhir-mode", sim.FHIRBatch, "with --door fhir: single Observations, or batch or transaction Bundles")
	fs.StringVar(&cfg.MQTTAddr, "mqtt-addr", "", "the MQTT door (default: --url's host, port 1883)")
	fs.StringVar(&cfg.MLLPAddr, "mllp-addr", "", "the HL7 MLLP door (default: --url's host, port 2575)")
	fs.Float64Var(&cfg.Rate, "rate", 0, "readings per second over all devices; 0 sends them in real time as the schedules make them")
	fs.DurationVar(&cfg.Duration, "duration", 0, "how long to stream; 0 until interrupted")
	fs.BoolVar(&cfg.Live, "live", true, "stream after the backfill (--live=false stops after it)")
	fs.Var(span{&cfg.Backfill}, "backfill", "send this much history first, fast, in batches (e.g. 30d)")
	fs.Float64Var(&cfg.Inject.OutOfRange, "out-of-range", 0, "fraction of readings made implausible, which Tend must refuse")
	fs.Float64Var(&cfg.Inject.Gaps, "gaps", 0, "fraction of each device's time it stays silent, in stretches of 2 hours or more")
	fs.Float64Var(&cfg.Inject.Duplicates, "duplicates", 0, "fraction of measurements sent twice, with the same external id")
	fs.BoolVar(&cfg.DisableDevice, "disable-device", false, "disable one device through the admin API and keep sending its readings")
	fs.Int64Var(&cfg.Seed, "seed", 1, "the same seed gives the same readings")
	fs.IntVar(&cfg.Concurrency, "concurrency", 8, "requests in flight at once")
	fs.IntVar(&cfg.Batch, "batch", 0, "most readings per request; 0 for the door's usual: 5000 over HTTP, 400 over MQTT, 500 otherwise")
	fs.DurationVar(&cfg.FlushEvery, "flush-every", time.Second, "a device sends what it has at least this often")
	fs.DurationVar(&cfg.ReportEvery, "report-every", 10*time.Second, "print progress this often (0 for never)")
	fs.StringVar(&scenarios, "scenario", "", "stage clinical events and exit: out-of-range, missed, news2, comma-separated, or all")
	fs.StringVar(&nurse, "nurse", "nurse.garcia@demo.tend.example", "with --scenario: the nurse told of the alerts first")
	fs.StringVar(&doctor, "doctor", "dr.okafor@demo.tend.example", "with --scenario: the doctor an unacknowledged alert escalates to")
	if err := config.Parse(fs, args, getenv); err != nil {
		return err
	}
	d, err := sim.ParseDoor(door)
	if err != nil {
		return fmt.Errorf("--door: %w", err)
	}
	cfg.Door = d
	if tokenFile != "" {
		b, err := os.ReadFile(tokenFile)
		if err != nil {
			return fmt.Errorf("--token-file: %w", err)
		}
		t := strings.TrimSpace(string(b))
		if cfg.Token != "" && cfg.Token != t {
			return errors.New("give --token or --token-file, not both")
		}
		cfg.Token = t
	}
	if cfg.ReportEvery == 0 {
		cfg.ReportEvery = -1
	}
	cfg.Out = stdout
	if scenarios != "" {
		list, err := sim.ParseScenarios(scenarios)
		if err != nil {
			return fmt.Errorf("--scenario: %w", err)
		}
		_, err = sim.RunScenarios(ctx, sim.ScenarioConfig{URL: cfg.URL, Token: cfg.Token, Nurse: nurse, Doctor: doctor,
			Scenarios: list, Out: stdout})
		return err
	}
	_, err = sim.Run(ctx, cfg)
	return err
}
