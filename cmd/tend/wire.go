package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/appointments"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/config"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/medications"
	"github.com/tend-health/tend/internal/monitoring"
	"github.com/tend-health/tend/internal/notify"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// storeFlags are the flags that say where the data is, shared by every
// command that opens the database.
type storeFlags struct {
	dataDir     string
	database    string
	synchronous string
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dataDir, "data-dir", "./tend-data", "folder for Tend's files (the SQLite database, uploads)")
	fs.StringVar(&f.database, "database", "", "database URL: empty for SQLite in the data folder, or postgres://user:pass@host/db")
	fs.StringVar(&f.synchronous, "sqlite-synchronous", "normal",
		"SQLite durability: normal (an acknowledged write survives a crash of tend) or full (it also survives power loss)")
}

// services are Tend's parts, wired over one database.
type services struct {
	db           *db.DB
	clock        clock.Clock
	people       *people.Service
	access       *access.Service
	audit        *audit.Log
	devices      *devices.Service
	readings     *readings.Service
	appointments *appointments.Service
	monitoring   *monitoring.Service
	medications  *medications.Service
	notify       *notify.Service
	events       events.Bus
}

// close stops the services' background work and closes the database.
func (s *services) close() {
	s.readings.Close()
	s.devices.Close()
	s.events.Close()
	s.audit.Close()
	s.db.Close()
}

// open opens the database and wires the services over it. notices says
// how notifications leave (email); commands other than serve pass the zero
// Config, since they deliver nothing.
func (f *storeFlags) open(ctx context.Context, notices notify.Config) (*services, error) {
	d, err := db.Open(ctx, db.Config{URL: f.database, DataDir: f.dataDir, Synchronous: f.synchronous})
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	c := clock.Real{}
	ps := people.NewService(d, c)
	acc := access.New(d, c, ps)
	bus, err := newBus(ctx, d, f.database)
	if err != nil {
		d.Close()
		return nil, err
	}
	acc.OnChange = func(ctx context.Context, patientID, granteeID string) {
		bus.Publish(ctx, events.NewGrantChanged(patientID, granteeID))
	}
	// Each new notification is announced to its recipient's open tabs, so
	// the bell updates at once: the notice names the notification only.
	sent := notices.Sent
	notices.Sent = func(n notify.Notification) {
		if sent != nil {
			sent(n)
		}
		data, _ := json.Marshal(events.NotificationNotice{ID: n.ID, Kind: n.Kind, Severity: string(n.Severity)})
		pctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		bus.Publish(pctx, events.Event{Kind: events.NotificationSent, UserID: n.RecipientID, Data: data})
	}
	n, err := notify.New(d, c, ps, notices)
	if err != nil {
		bus.Close()
		d.Close()
		return nil, fmt.Errorf("notifications: %w", err)
	}
	dev := devices.New(d, c, ps, acc)
	aud := audit.New(d, c)
	mon := monitoring.New(d, c, acc, monitoring.Deps{Notify: n, Events: bus, Audit: aud})
	s := &services{db: d, clock: c, people: ps, access: acc, audit: aud, devices: dev, events: bus, notify: n,
		appointments: appointments.New(d, c, acc, aud), monitoring: mon,
		medications: medications.New(d, c, acc, mon.Outbox(), aud)}
	// Alert rules and schedules see every committed batch, in the process
	// that committed it, whichever door it came through.
	s.readings = readings.New(d, c, acc, dev, readings.Options{Events: bus, Audit: aud,
		AfterCommit: func(ctx context.Context, _ string, stored []readings.Reading) {
			if err := mon.OnReadings(ctx, monitoring.FromReadings(stored)); err != nil {
				slog.ErrorContext(ctx, "alert rules could not look at stored readings", "err", err)
			}
		},
		AfterCorrect: func(ctx context.Context, r readings.Reading) {
			if err := mon.OnReadingCorrected(ctx, r.PatientID, r.ID); err != nil {
				slog.ErrorContext(ctx, "monitoring could not forget a corrected reading", "err", err)
			}
		}})
	return s, nil
}

func newFlagSet(name, intro string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = config.Usage(fs, intro)
	return fs
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var sf storeFlags
	fs := newFlagSet("migrate", "Usage: tend migrate [flags]\nBrings the database schema up to date.", stderr)
	sf.register(fs)
	if err := config.Parse(fs, args, getenv); err != nil {
		return err
	}
	start := time.Now()
	s, err := sf.open(ctx, notify.Config{})
	if err != nil {
		return err
	}
	defer s.close()
	fmt.Fprintf(stdout, "%s is up to date (%v)\n", s.db.Where, time.Since(start).Round(time.Millisecond))
	return nil
}

// newBus picks how events travel: within the process on SQLite, and
// through PostgreSQL LISTEN/NOTIFY (so every node hears them) on PostgreSQL.
func newBus(ctx context.Context, d *db.DB, url string) (events.Bus, error) {
	if d.Dialect == db.Postgres {
		return events.NewPostgres(ctx, d, events.PostgresConfig{URL: url})
	}
	return events.NewLocal(), nil
}
