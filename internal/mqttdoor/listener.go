package mqttdoor

import (
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/mochi-mqtt/server/v2/listeners"
)

// listener hands the broker the connections of a TCP listener the door
// opened itself (so that a taken port is reported by Start, and port 0
// works), with a cap on open connections and a deadline for CONNECT.
type listener struct {
	ln             net.Listener
	max            int
	connectTimeout time.Duration
	log            *slog.Logger
	slots          chan struct{}
	once           sync.Once
}

var _ listeners.Listener = (*listener)(nil)

func (l *listener) ID() string                  { return "tend-mqtt" }
func (l *listener) Address() string             { return l.ln.Addr().String() }
func (l *listener) Protocol() string            { return "tcp" }
func (l *listener) Init(log *slog.Logger) error { return nil }

// Serve accepts connections until the listener is closed.
func (l *listener) Serve(establish listeners.EstablishFn) {
	for {
		conn, err := l.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			l.log.Error("accepting connections stopped", "err", err)
			return
		}
		select {
		case l.slots <- struct{}{}:
		default:
			l.log.Warn("connection refused: too many open connections", "max", l.max, "remote", conn.RemoteAddr().String())
			conn.Close()
			continue
		}
		// The broker sets its own deadline from the keep-alive once
		// CONNECT has arrived; until then this one holds.
		_ = conn.SetDeadline(time.Now().Add(l.connectTimeout))
		go func() {
			defer func() { <-l.slots }()
			defer conn.Close()
			if err := establish(l.ID(), conn); err != nil {
				l.log.Debug("connection ended", "remote", conn.RemoteAddr().String(), "err", err)
			}
		}()
	}
}

// Close disconnects the listener's clients and stops accepting.
func (l *listener) Close(closeClients listeners.CloseFn) {
	l.once.Do(func() {
		l.ln.Close()
		closeClients(l.ID())
	})
}
