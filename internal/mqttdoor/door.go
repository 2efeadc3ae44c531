package mqttdoor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"

	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// Config says where and how the broker listens. Zero fields take the
// defaults.
type Config struct {
	// Addr is the TCP address to listen on, such as "localhost:1883";
	// port 0 picks a free port (see Door.Addr).
	Addr string
	// MaxPacketSize bounds one MQTT packet, and so one publish, in bytes
	// (default 256 KiB). A client sending a larger one is disconnected.
	MaxPacketSize int
	// MaxConnections bounds the open TCP connections (default 10,000);
	// connections beyond it are closed at once.
	MaxConnections int
	// ConnectTimeout is how long a new connection has to send its CONNECT
	// packet (default 10 s).
	ConnectTimeout time.Duration
	// MaxKeepAlive is the longest keep-alive a client may ask for, and the
	// one given to a client that asks for none (default 10 min), so that
	// a silent connection is always closed in the end.
	MaxKeepAlive time.Duration
	// IngestTimeout bounds the handling of one publish (default 30 s).
	IngestTimeout time.Duration
	// Logger receives the door's log lines; nil discards them. Neither
	// payloads nor values are ever logged.
	Logger *slog.Logger
}

// Deps are the services the door hands its work to.
type Deps struct {
	Devices  *devices.Service // required: sign-in, and the device's patient
	Readings Ingester         // required: the one ingest path (*readings.Service)
	People   *people.Service  // required: the patient's time zone, for device clocks
	Audit    *audit.Log       // optional: connections and publishes are audited when set
	Clock    clock.Clock      // optional: clock.Real when nil
}

// Ingester is the ingest path the door hands readings to; *readings.Service
// is the one Tend uses.
type Ingester interface {
	Ingest(ctx context.Context, b readings.Batch) ([]readings.Result, error)
}

// Door is the MQTT door: an embedded broker wired to the ingest path.
type Door struct {
	cfg    Config
	deps   Deps
	log    *slog.Logger
	clock  clock.Clock
	server *mqtt.Server
	recent *recentValues

	mu      sync.Mutex
	ln      *listener
	ctx     context.Context // cancelled by Close; every ingest runs under it
	cancel  context.CancelFunc
	started bool
	closed  bool
}

// New returns a Door that is not listening yet; Start opens the port.
func New(cfg Config, deps Deps) (*Door, error) {
	if cfg.Addr == "" {
		return nil, errors.New("mqtt: no address to listen on (--mqtt-addr)")
	}
	if deps.Devices == nil || deps.Readings == nil || deps.People == nil {
		return nil, errors.New("mqtt: the devices, readings and people services are required")
	}
	if cfg.MaxPacketSize <= 0 {
		cfg.MaxPacketSize = 256 << 10
	}
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = 10000
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	if cfg.MaxKeepAlive <= 0 {
		cfg.MaxKeepAlive = 10 * time.Minute
	}
	if cfg.MaxKeepAlive > 65535*time.Second {
		cfg.MaxKeepAlive = 65535 * time.Second
	}
	if cfg.IngestTimeout <= 0 {
		cfg.IngestTimeout = 30 * time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("door", "mqtt")
	c := deps.Clock
	if c == nil {
		c = clock.Real{}
	}
	d := &Door{cfg: cfg, deps: deps, log: log, clock: c, recent: newRecentValues(time.Hour, 100000)}
	d.ctx, d.cancel = context.WithCancel(context.Background())

	caps := mqtt.NewDefaultServerCapabilities()
	caps.MaximumPacketSize = uint32(cfg.MaxPacketSize)
	caps.MaximumClients = int64(cfg.MaxConnections)
	caps.MaximumSessionExpiryInterval = 7 * 24 * 3600 // a week offline keeps a persistent session
	caps.MaximumMessageExpiryInterval = 24 * 3600
	d.server = mqtt.New(&mqtt.Options{
		Capabilities: caps,
		// The broker's own log lines are chatty at info level; keep its
		// warnings and errors.
		Logger:                 slog.New(minLevel{h: log.Handler(), min: slog.LevelWarn}),
		InlineClient:           true, // the door publishes results with it
		SysTopicResendInterval: 3600,
	})
	if err := d.server.AddHook(&hook{door: d}, nil); err != nil {
		return nil, fmt.Errorf("mqtt: adding the door's hook: %w", err)
	}
	return d, nil
}

// Start opens the listening port and starts serving. A port that is taken
// gives an error naming the --mqtt-addr flag. ctx is not kept: Close stops
// the door.
func (d *Door) Start(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started || d.closed {
		return errors.New("mqtt: the door was started or closed before")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", d.cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s for MQTT (another broker, such as Mosquitto, may hold the port; choose another with --mqtt-addr or TEND_MQTT_ADDR): %w",
			d.cfg.Addr, err)
	}
	d.ln = &listener{ln: ln, max: d.cfg.MaxConnections, connectTimeout: d.cfg.ConnectTimeout, log: d.log,
		slots: make(chan struct{}, d.cfg.MaxConnections)}
	if err := d.server.AddListener(d.ln); err != nil {
		ln.Close()
		return fmt.Errorf("mqtt: %w", err)
	}
	if err := d.server.Serve(); err != nil {
		ln.Close()
		return fmt.Errorf("mqtt: starting the broker: %w", err)
	}
	d.started = true
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
	return d.ln.ln.Addr().String()
}

// Close stops listening, disconnects every client and waits, up to ten
// seconds, for publishes being ingested to finish. Publishes cut short are
// not acknowledged, so clients send them again when they come back.
func (d *Door) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	started := d.started
	d.mu.Unlock()
	d.cancel()
	if !started {
		return nil
	}
	err := d.server.Close()
	done := make(chan struct{})
	go func() {
		d.server.Listeners.ClientsWg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		d.log.Warn("clients still connected after close")
	}
	return err
}

// minLevel is a slog handler that drops records below a level.
type minLevel struct {
	h   slog.Handler
	min slog.Level
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.h.Enabled(ctx, l)
}
func (m minLevel) Handle(ctx context.Context, r slog.Record) error { return m.h.Handle(ctx, r) }
func (m minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{h: m.h.WithAttrs(as), min: m.min}
}
func (m minLevel) WithGroup(g string) slog.Handler { return minLevel{h: m.h.WithGroup(g), min: m.min} }
