package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/tend-health/tend/internal/api"
	"github.com/tend-health/tend/internal/config"
	"github.com/tend-health/tend/internal/demo"
	"github.com/tend-health/tend/internal/mllp"
	"github.com/tend-health/tend/internal/mqttdoor"
	"github.com/tend-health/tend/internal/notify"
	"github.com/tend-health/tend/internal/summaries"
	"github.com/tend-health/tend/internal/web"
	"github.com/tend-health/tend/internal/ws"
)

type serveFlags struct {
	storeFlags
	addr            string
	tlsCert, tlsKey string
	demo            bool
	trustProxy      bool
	logLevel        string
	sessionIdle     time.Duration
	sessionAbsolute time.Duration
	publicURL       string
	mqttAddr        string
	mllpAddr        string
	smtp            notify.SMTPConfig
	smtpTLS         string
	escalationWait  time.Duration
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var f serveFlags
	fs := newFlagSet("serve", "Usage: tend serve [flags]\nRuns Tend: the API, the web app and the device doors.", stderr)
	f.storeFlags.register(fs)
	fs.StringVar(&f.addr, "addr", "localhost:8080", "address for HTTP (or HTTPS with --tls-cert)")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate file (PEM); serves HTTPS and marks cookies Secure")
	fs.StringVar(&f.tlsKey, "tls-key", "", "TLS private key file (PEM)")
	fs.BoolVar(&f.demo, "demo", false, "load the demo clinic (once) and print its accounts")
	fs.BoolVar(&f.trustProxy, "trust-proxy", false, "take client addresses from X-Forwarded-For (only behind your own proxy)")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.DurationVar(&f.sessionIdle, "session-idle", 30*time.Minute, "end a session unused for this long")
	fs.DurationVar(&f.sessionAbsolute, "session-absolute", 12*time.Hour, "end a session this long after sign-in")
	fs.StringVar(&f.mqttAddr, "mqtt-addr", "localhost:1883", "address of the embedded MQTT broker for devices; empty turns it off")
	fs.StringVar(&f.mllpAddr, "mllp-addr", "localhost:2575", "address of the HL7 v2 (MLLP) listener for monitors; empty turns it off")
	fs.StringVar(&f.publicURL, "public-url", "", "the address people use to reach Tend (e.g. https://tend.clinic.example), for links in email and calendar feeds")
	fs.StringVar(&f.smtp.Host, "smtp-host", "", "SMTP server for email notifications; none turns email off")
	fs.IntVar(&f.smtp.Port, "smtp-port", 0, "SMTP port (default 587 for starttls, 465 for tls, 25 for none)")
	fs.StringVar(&f.smtp.Username, "smtp-username", "", "SMTP user name")
	fs.StringVar(&f.smtp.Password, "smtp-password", "", "SMTP password (better: TEND_SMTP_PASSWORD_FILE)")
	fs.StringVar(&f.smtp.From, "smtp-from", "", `sender of Tend's email, e.g. "Tend <no-reply@clinic.example>"`)
	fs.StringVar(&f.smtpTLS, "smtp-tls", "starttls", "starttls, tls or none (none only for a relay on this machine)")
	fs.DurationVar(&f.escalationWait, "escalation-wait", 15*time.Minute,
		"how long each step of an alert's default escalation chain (the care team's nurses, then its doctors) has to acknowledge it; short for a demo, e.g. 1m")
	if err := config.Parse(fs, args, getenv); err != nil {
		return err
	}
	if f.escalationWait <= 0 {
		return errors.New("--escalation-wait must be more than 0")
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return errors.New("give both --tls-cert and --tls-key, or neither")
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return fmt.Errorf("--log-level %q: %w", f.logLevel, err)
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	config.TuneGC(getenv)

	notifyCfg := notify.Config{BaseURL: f.publicURL, Logger: log}
	if f.smtp.Host != "" {
		smtp := f.smtp
		smtp.TLS = notify.TLSMode(f.smtpTLS)
		notifyCfg.SMTP = &smtp
	}
	s, err := f.open(ctx, notifyCfg)
	if err != nil {
		return err
	}
	defer s.close()
	s.people.IdleTimeout, s.people.AbsoluteTimeout = f.sessionIdle, f.sessionAbsolute
	s.monitoring.EscalationWait = f.escalationWait

	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s (choose another with --addr or TEND_ADDR): %w", f.addr, err)
	}
	scheme := "http"
	if f.tlsCert != "" {
		scheme = "https"
	}
	live := ws.New(ws.Deps{Bus: s.events, People: s.people, Access: s.access, Audit: s.audit, Log: log})
	defer live.Close()
	s.appointments.BaseURL = f.publicURL
	srv := api.New(api.Deps{Live: live, Appointments: s.appointments, Monitoring: s.monitoring, Medications: s.medications, Notify: s.notify, DB: s.db, People: s.people, Access: s.access, Audit: s.audit, Devices: s.devices, Readings: s.readings, Log: log,
		SecureCookies: f.tlsCert != "", TrustProxy: f.trustProxy, Version: version, Web: web.Handler(),
		Summaries: summaries.New(s.readings, s.access, s.people, s.devices, s.clock)})
	httpServer := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}

	// The device doors. They close before the services they write to
	// (deferred after s.close, so run first).
	if f.mqttAddr != "" {
		mq, err := mqttdoor.New(mqttdoor.Config{Addr: f.mqttAddr, Logger: log},
			mqttdoor.Deps{Devices: s.devices, Readings: s.readings, People: s.people, Audit: s.audit, Clock: s.clock})
		if err == nil {
			err = mq.Start(ctx)
		}
		if err != nil {
			ln.Close()
			return err
		}
		defer mq.Close()
		fmt.Fprintf(stdout, "MQTT broker for devices on %s\n", mq.Addr())
	}
	if f.mllpAddr != "" {
		hl, err := mllp.New(mllp.Config{Addr: f.mllpAddr, Logger: log},
			mllp.Deps{Patients: mllp.PatientsByMRN(s.db), Devices: s.devices, Readings: s.readings, Audit: s.audit, Clock: s.clock})
		if err == nil {
			err = hl.Start(ctx)
		}
		if err != nil {
			ln.Close()
			return err
		}
		defer hl.Close()
		fmt.Fprintf(stdout, "HL7 v2 (MLLP) listener for monitors on %s\n", hl.Addr())
	}

	url := scheme + "://" + ln.Addr().String()
	if f.demo {
		res, err := demo.Load(ctx, demo.Services{DB: s.db, People: s.people, Access: s.access, Audit: s.audit, Readings: s.readings,
			Monitoring: s.monitoring, Medications: s.medications, Appointments: s.appointments})
		if err != nil {
			ln.Close()
			return err
		}
		printDemo(stdout, url, res)
	}
	if !web.Built() {
		fmt.Fprintln(stdout, "note: the web app is not built into this binary; run `make build` for the full app")
	}
	fmt.Fprintf(stdout, "Tend %s is listening on %s (database %s)\n", version, url, s.db.Where)

	// Work on a clock: missed measurements, escalation, medication and
	// appointment reminders, and delivering notifications. Every node may
	// run it; rows are claimed, so nothing happens twice.
	jobs, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	defer func() { stopJobs(); wg.Wait() }()
	wg.Go(func() { s.notify.NewDeliverer(notify.DelivererConfig{}).Run(jobs) })
	wg.Go(func() { s.monitoring.Run(jobs) })
	wg.Go(func() { s.medications.Run(jobs) })
	wg.Go(func() {
		tick := time.NewTicker(30 * time.Second)
		defer tick.Stop()
		s.appointments.RunDelivery(jobs, tick.C, s.notify, log)
	})

	errc := make(chan error, 1)
	go func() {
		if f.tlsCert != "" {
			errc <- httpServer.ServeTLS(ln, f.tlsCert, f.tlsKey)
		} else {
			errc <- httpServer.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := httpServer.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}

func printDemo(w io.Writer, url string, res demo.Result) {
	if res.Loaded {
		fmt.Fprintln(w, "Loaded the demo clinic.")
	} else {
		fmt.Fprintln(w, "The demo clinic is already loaded.")
	}
	fmt.Fprintf(w, "Sign in at %s with any of these accounts; the password of each is %q:\n", url, demo.Password)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, a := range res.Accounts {
		roles := make([]string, len(a.Roles))
		for i, r := range a.Roles {
			roles[i] = string(r)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", a.Email, a.Name, strings.Join(roles, ", "))
	}
	tw.Flush()
}
