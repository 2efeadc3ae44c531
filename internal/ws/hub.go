package ws

import (
	"encoding/json"
	"sync"

	"github.com/tend-health/tend/internal/events"
)

// hub knows which connections watch which patient, and hands each event to
// those connections only. It never waits: a connection whose queue is full
// is ended as lagged. Whether the connection's user may see the event is
// decided by the connection itself, so that a slow access check holds up
// nobody else.
type hub struct {
	mu        sync.RWMutex
	conns     map[*conn]struct{}
	byPatient map[string]map[*conn]struct{}
	byUser    map[string]map[*conn]struct{}
	watched   map[*conn][]string
}

func newHub() *hub {
	return &hub{conns: map[*conn]struct{}{}, byPatient: map[string]map[*conn]struct{}{},
		byUser: map[string]map[*conn]struct{}{}, watched: map[*conn][]string{}}
}

func addTo(m map[string]map[*conn]struct{}, key string, c *conn) {
	set := m[key]
	if set == nil {
		set = map[*conn]struct{}{}
		m[key] = set
	}
	set[c] = struct{}{}
}

func removeFrom(m map[string]map[*conn]struct{}, key string, c *conn) {
	if set := m[key]; set != nil {
		delete(set, c)
		if len(set) == 0 {
			delete(m, key)
		}
	}
}

func (h *hub) add(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.conns[c] = struct{}{}
	addTo(h.byUser, c.userID, c)
}

func (h *hub) remove(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range h.watched[c] {
		removeFrom(h.byPatient, id, c)
	}
	delete(h.watched, c)
	removeFrom(h.byUser, c.userID, c)
	delete(h.conns, c)
}

// watch makes c's watched patients exactly ids.
func (h *hub) watch(c *conn, ids []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.conns[c]; !ok {
		return
	}
	for _, id := range h.watched[c] {
		removeFrom(h.byPatient, id, c)
	}
	for _, id := range ids {
		addTo(h.byPatient, id, c)
	}
	h.watched[c] = ids
}

// route hands e to the connections that may want it: those watching its
// patient; for a grant change, the connections of the grantee and of the
// patient (or every connection, when the grantee is not named).
func (h *hub) route(e events.Event) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var it item
	send := func(c *conn) {
		if it.ev == nil {
			frame, err := json.Marshal(eventFrame{Type: "event", Event: &e})
			if err != nil {
				return // Publish checked Data; nothing else can fail
			}
			it = item{ev: &e, frame: frame}
		}
		c.enqueue(it)
	}
	if e.UserID != "" {
		for c := range h.byUser[e.UserID] {
			send(c)
		}
		return
	}
	if e.Kind != events.GrantChanged {
		for c := range h.byPatient[e.PatientID] {
			send(c)
		}
		return
	}
	var gc events.GrantChange
	if json.Unmarshal(e.Data, &gc) != nil || gc.GranteeID == "" {
		for c := range h.conns {
			send(c)
		}
		return
	}
	for c := range h.byUser[gc.GranteeID] {
		send(c)
	}
	if gc.GranteeID != e.PatientID {
		for c := range h.byUser[e.PatientID] {
			send(c)
		}
	}
}

// endAll ends every connection in the same way.
func (h *hub) endAll(e ending) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.conns {
		c.end(e)
	}
}
