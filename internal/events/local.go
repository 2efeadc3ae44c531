package events

import "context"

// Local is the in-process bus: events reach the subscribers of this
// process only. It is safe for concurrent use.
type Local struct{ fan *fanout }

// NewLocal returns an open in-process bus.
func NewLocal() *Local { return &Local{fan: newFanout()} }

// Publish hands e to every subscriber of this process.
func (b *Local) Publish(ctx context.Context, e Event) error {
	if err := prepare(&e); err != nil {
		return err
	}
	if b.fan.isClosed() {
		return ErrClosed
	}
	b.fan.deliver(e)
	return nil
}

// Subscribe starts a subscription; see Bus.
func (b *Local) Subscribe(buffer int) *Subscription { return b.fan.subscribe(buffer) }

// Close ends every subscription with ErrClosed.
func (b *Local) Close() error {
	b.fan.endAll(ErrClosed)
	return nil
}

var _ Bus = (*Local)(nil)
