package mllp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/hl7"
	"github.com/tend-health/tend/internal/readings"
)

// Config says where and how the door listens. Zero fields take the
// defaults.
type Config struct {
	// Addr is the TCP address to listen on, such as "localhost:2575";
	// port 0 picks a free port (see Door.Addr).
	Addr string
	// MaxMessageSize bounds one message, without its framing (default
	// 1 MiB, hl7.DefaultMaxMessageSize).
	MaxMessageSize int
	// ReadTimeout is how long a connection may take to send its next
	// message, idle time included (default 5 min); then it is closed.
	ReadTimeout time.Duration
	// WriteTimeout bounds the sending of one acknowledgement (default 10 s).
	WriteTimeout time.Duration
	// MaxConnections bounds the connections open at once (default 64);
	// one beyond it is closed as soon as it is accepted.
	MaxConnections int
	// IngestTimeout bounds the handling of one message (default 30 s).
	IngestTimeout time.Duration
	// Logger receives the door's log lines; nil discards them. Field
	// contents are never logged.
	Logger *slog.Logger
}

// Ingester is the ingest path the door hands readings to; *readings.Service
// is the one Tend uses.
type Ingester interface {
	Ingest(ctx context.Context, b readings.Batch) ([]readings.Result, error)
}

// Deps are the services the door hands its work to.
type Deps struct {
	// Patients finds the patient a PID-3 identifier names; PatientsByMRN
	// gives one over Tend's database.
	Patients Patients
	Devices  *devices.Service // required: devices by EUI-64
	Readings Ingester         // required: the one ingest path (*readings.Service)
	Audit    *audit.Log       // optional: each message is audited when set
	Clock    clock.Clock      // optional: clock.Real when nil
}

// Door is the HL7 v2 door: an MLLP listener wired to the ingest path.
type Door struct {
	cfg   Config
	deps  Deps
	log   *slog.Logger
	clock clock.Clock
	slots chan struct{}

	mu      sync.Mutex
	ln      net.Listener
	conns   map[net.Conn]struct{}
	started bool
	closed  bool
	wg      sync.WaitGroup
	ctx     context.Context // cancelled by Close
	cancel  context.CancelFunc

	ackSeq uint64 // numbers the acknowledgements, under mu
}

// New returns a Door that is not listening yet; Start opens the port.
func New(cfg Config, deps Deps) (*Door, error) {
	if cfg.Addr == "" {
		return nil, errors.New("mllp: no address to listen on (--mllp-addr)")
	}
	if deps.Patients == nil || deps.Devices == nil || deps.Readings == nil {
		return nil, errors.New("mllp: the patients, devices and readings services are required")
	}
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = hl7.DefaultMaxMessageSize
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 5 * time.Minute
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = 64
	}
	if cfg.IngestTimeout <= 0 {
		cfg.IngestTimeout = 30 * time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := deps.Clock
	if c == nil {
		c = clock.Real{}
	}
	d := &Door{cfg: cfg, deps: deps, log: log.With("door", "mllp"), clock: c,
		slots: make(chan struct{}, cfg.MaxConnections), conns: map[net.Conn]struct{}{}}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	return d, nil
}

// Start opens the listening port and starts serving. A port that is taken
// gives an error naming the --mllp-addr flag. ctx is not kept: Close stops
// the door.
func (d *Door) Start(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started || d.closed {
		return errors.New("mllp: the door was started or closed before")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", d.cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s for HL7 v2 over MLLP (choose another with --mllp-addr or TEND_MLLP_ADDR): %w", d.cfg.Addr, err)
	}
	d.ln, d.started = ln, true
	d.wg.Add(1)
	go d.accept(ln)
	d.log.Info("listening", "addr", ln.Addr().String())
	return nil
}

// Addr returns the address the door listens on, with the port the system
// chose when Config.Addr asked for port 0; empty before Start.
func (d *Door) Addr() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ln == nil {
		return ""
	}
	return d.ln.Addr().String()
}

// Close stops listening, closes every connection and waits for the
// messages being handled to finish. A message cut short is not
// acknowledged; its sender sends it again.
func (d *Door) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	var err error
	if d.ln != nil {
		err = d.ln.Close()
	}
	for c := range d.conns {
		c.Close()
	}
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

func (d *Door) accept(ln net.Listener) {
	defer d.wg.Done()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			d.log.Error("accepting connections stopped", "err", err)
			return
		}
		select {
		case d.slots <- struct{}{}:
		default:
			d.log.Warn("connection refused: too many open connections", "max", d.cfg.MaxConnections,
				"remote", conn.RemoteAddr().String())
			conn.Close()
			continue
		}
		if !d.track(conn) {
			<-d.slots
			conn.Close()
			return
		}
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			defer func() { <-d.slots }()
			defer d.untrack(conn)
			d.serve(conn)
		}()
	}
}

func (d *Door) track(c net.Conn) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return false
	}
	d.conns[c] = struct{}{}
	return true
}

func (d *Door) untrack(c net.Conn) {
	d.mu.Lock()
	delete(d.conns, c)
	d.mu.Unlock()
	c.Close()
}

// ackID returns a fresh MSH-10 for an acknowledgement: at most 20
// characters, as HL7 before 2.5 allows.
func (d *Door) ackID(at time.Time) string {
	d.mu.Lock()
	d.ackSeq++
	n := d.ackSeq
	d.mu.Unlock()
	return fmt.Sprintf("T%s%d", at.UTC().Format("060102150405"), n%10000000)
}
