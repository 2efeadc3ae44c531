package events

import "sync"

// Subscription receives the events published after it started, until it
// ends: by Close, by falling behind (ErrLagged), or by the bus closing
// (ErrClosed).
type Subscription struct {
	fan *fanout
	c   chan Event

	mu    sync.Mutex
	ended bool
	err   error
}

// Events returns the channel of events. It is closed when the subscription
// ends, after the events already buffered; Err then says why.
func (s *Subscription) Events() <-chan Event { return s.c }

// Err says why the subscription ended: ErrLagged, ErrClosed, or nil when it
// was closed by its holder or has not ended.
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close ends the subscription. It is safe to call more than once.
func (s *Subscription) Close() {
	s.end(nil)
	s.fan.remove(s)
}

// end closes the channel once, recording why.
func (s *Subscription) end(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	s.ended, s.err = true, err
	close(s.c)
}

// send offers e without waiting; a full buffer ends the subscription.
func (s *Subscription) send(e Event) (lagged bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return false
	}
	select {
	case s.c <- e:
		return false
	default:
		s.ended, s.err = true, ErrLagged
		close(s.c)
		return true
	}
}

// fanout is the set of a bus's subscriptions in this process.
type fanout struct {
	mu     sync.RWMutex
	subs   map[*Subscription]struct{}
	closed bool
}

func newFanout() *fanout { return &fanout{subs: map[*Subscription]struct{}{}} }

func (f *fanout) subscribe(buffer int) *Subscription {
	if buffer < 1 {
		buffer = DefaultBuffer
	}
	s := &Subscription{fan: f, c: make(chan Event, buffer)}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		s.end(ErrClosed)
		return s
	}
	f.subs[s] = struct{}{}
	return s
}

func (f *fanout) remove(s *Subscription) {
	f.mu.Lock()
	delete(f.subs, s)
	f.mu.Unlock()
}

// deliver offers e to every subscription; those that lag are dropped.
func (f *fanout) deliver(e Event) {
	var lagged []*Subscription
	f.mu.RLock()
	for s := range f.subs {
		if s.send(e) {
			lagged = append(lagged, s)
		}
	}
	f.mu.RUnlock()
	if lagged != nil {
		f.mu.Lock()
		for _, s := range lagged {
			delete(f.subs, s)
		}
		f.mu.Unlock()
	}
}

// endAll ends every subscription with err; with ErrClosed, for good.
func (f *fanout) endAll(err error) {
	f.mu.Lock()
	subs := f.subs
	f.subs = map[*Subscription]struct{}{}
	if err == ErrClosed {
		f.closed = true
	}
	f.mu.Unlock()
	for s := range subs {
		s.end(err)
	}
}

func (f *fanout) isClosed() bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.closed
}
