package ws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/people"
)

// Frames the server sends.
type (
	eventFrame struct {
		Type  string        `json:"type"`
		Event *events.Event `json:"event"`
	}
	subscribedFrame struct {
		Type     string   `json:"type"`
		All      bool     `json:"all"`
		Patients []string `json:"patients"`
	}
	errorFrame struct {
		Type   string `json:"type"`
		Detail string `json:"detail"`
	}
)

// clientMessage is what a client sends.
type clientMessage struct {
	Type     string   `json:"type"`
	Patients []string `json:"patients"`
	All      bool     `json:"all"`
}

func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own frame types are encoded
	}
	return b
}

func errorItem(format string, args ...any) item {
	return item{frame: encode(errorFrame{Type: "error", Detail: fmt.Sprintf(format, args...)})}
}

// item is one thing in a connection's queue: an event to check and send,
// a subscribe to act on, or a frame to send as is.
type item struct {
	ev    *events.Event
	frame []byte
	sub   *clientMessage
}

// ending is how a connection ends.
type ending struct {
	code   websocket.StatusCode // 0: drop the connection without a close handshake
	reason string
	frame  []byte // sent first, when set
}

var lagged = ending{code: CloseLagged, reason: "fell behind: reload and reconnect",
	frame: encode(struct {
		Type string `json:"type"`
	}{"lagged"})}

func sessionEnded(detail string) ending {
	return ending{code: CloseSessionEnded, reason: "session ended",
		frame: encode(errorFrame{Type: "error", Detail: detail})}
}

// errSocket marks a failure to write to the socket: there is nobody to
// tell, so the connection is dropped.
var errSocket = errors.New("writing to the socket")

// conn is one live socket. One goroutine (serve) owns the subscription,
// the access cache and all writes; another (read) reads the client's
// messages and queues them; the hub queues events.
type conn struct {
	h      *Handler
	sock   *websocket.Conn
	cred   credential
	userID string
	queue  chan item

	ended   chan struct{}
	endOnce sync.Once
	why     ending
	pinging atomic.Bool

	// Owned by the serve goroutine.
	viewer   people.Principal
	all      bool
	watching map[string]bool
	cache    map[cacheKey]cacheEntry
}

type cacheKey struct {
	patientID string
	scope     access.Scope
}

type cacheEntry struct {
	allowed bool
	until   time.Time
}

func newConn(h *Handler, sock *websocket.Conn, cred credential, viewer people.Principal) *conn {
	return &conn{h: h, sock: sock, cred: cred, userID: viewer.UserID, viewer: viewer,
		queue: make(chan item, h.d.SendQueue), ended: make(chan struct{}),
		watching: map[string]bool{}, cache: map[cacheKey]cacheEntry{}}
}

// enqueue queues it without waiting; a full queue ends the connection.
func (c *conn) enqueue(it item) {
	select {
	case c.queue <- it:
	default:
		c.end(lagged)
	}
}

// end asks the connection to end; the first reason given wins.
func (c *conn) end(e ending) {
	c.endOnce.Do(func() {
		c.why = e
		close(c.ended)
	})
}

// serve runs the connection until it ends. ctx ends when the server shuts
// down; the socket itself is written with contexts of its own, since
// coder/websocket drops the connection when an operation's context ends.
func (c *conn) serve(ctx context.Context) {
	base := context.WithoutCancel(ctx)
	readCtx, stopReading := context.WithCancel(base)
	reading := make(chan struct{})
	go func() {
		defer close(reading)
		c.read(readCtx)
	}()
	defer func() {
		stopReading()
		<-reading
	}()

	ping := time.NewTicker(c.h.d.PingInterval)
	defer ping.Stop()
	recheck := time.NewTicker(c.h.d.SessionCheck)
	defer recheck.Stop()
	for {
		select {
		case <-c.ended:
			c.finish()
			return
		default:
		}
		select {
		case <-c.ended:
			c.finish()
			return
		case <-ctx.Done():
			c.sock.Close(websocket.StatusGoingAway, "server shutting down")
			return
		case it := <-c.queue:
			if err := c.handle(base, it); err != nil {
				if errors.Is(err, errSocket) {
					c.sock.CloseNow()
					return
				}
				c.h.d.Log.ErrorContext(base, "live connection could not go on; client told to reload", "user_id", c.userID, "err", err)
				c.end(lagged)
			}
		case <-ping.C:
			c.ping(base)
		case <-recheck.C:
			c.recheck(base)
		}
	}
}

func (c *conn) finish() {
	e := c.why
	if e.code == 0 {
		c.sock.CloseNow()
		return
	}
	if e.frame != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := c.sock.Write(ctx, websocket.MessageText, e.frame)
		cancel()
		if err != nil {
			c.sock.CloseNow()
			return
		}
	}
	c.sock.Close(e.code, e.reason)
}

// ping checks, without holding up writes, that the peer still answers.
func (c *conn) ping(ctx context.Context) {
	if !c.pinging.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer c.pinging.Store(false)
		ctx, cancel := context.WithTimeout(ctx, c.h.d.PingInterval)
		defer cancel()
		if err := c.sock.Ping(ctx); err != nil {
			c.end(ending{})
		}
	}()
}

// recheck ends the connection when its session or token has ended.
func (c *conn) recheck(ctx context.Context) bool {
	p, err := c.h.check(ctx, c.cred)
	switch {
	case err == nil:
		c.viewer = p
		return true
	case errs.KindOf(err) == errs.Internal:
		c.h.d.Log.ErrorContext(ctx, "live connection could not check its session", "user_id", c.userID, "err", err)
		return true // keep going; the next check may succeed
	default:
		c.end(sessionEnded(publicMessage(err)))
		return false
	}
}

// read queues the client's messages until the socket ends.
func (c *conn) read(ctx context.Context) {
	defer c.end(ending{})
	for {
		typ, data, err := c.sock.Read(ctx)
		if err != nil {
			return
		}
		if typ != websocket.MessageText {
			c.enqueue(errorItem("send JSON text frames"))
			continue
		}
		var m clientMessage
		if err := json.Unmarshal(data, &m); err != nil {
			c.enqueue(errorItem(`the message is not JSON like {"type":"subscribe","patients":["…"]}`))
			continue
		}
		if msg := c.invalid(&m); msg != "" {
			c.enqueue(errorItem("%s", msg))
			continue
		}
		c.enqueue(item{sub: &m})
	}
}

// invalid says what is wrong with a client's message, and tidies its ids.
func (c *conn) invalid(m *clientMessage) string {
	switch {
	case m.Type != "subscribe":
		return fmt.Sprintf(`unknown message type %q: send {"type":"subscribe","patients":["…"]} or {"type":"subscribe","all":true}`, m.Type)
	case m.All && len(m.Patients) > 0:
		return `subscribe to "all" or to a list of "patients", not both`
	case !m.All && m.Patients == nil:
		return `say which "patients" to watch, or "all":true`
	case len(m.Patients) > c.h.d.MaxPatients:
		return fmt.Sprintf("at most %d patients in one subscribe", c.h.d.MaxPatients)
	}
	for _, id := range m.Patients {
		if id == "" || len(id) > 100 {
			return "a patient id is empty or too long"
		}
	}
	slices.Sort(m.Patients)
	m.Patients = slices.Compact(m.Patients)
	return ""
}

// handle acts on one queued item.
func (c *conn) handle(ctx context.Context, it item) error {
	switch {
	case it.sub != nil:
		return c.subscribe(ctx, it.sub)
	case it.ev != nil && it.ev.UserID != "":
		if it.ev.UserID != c.userID {
			return nil
		}
		return c.write(ctx, it.frame)
	case it.ev != nil && it.ev.Kind == events.GrantChanged:
		return c.grantChanged(ctx, it)
	case it.ev != nil:
		if !c.watching[it.ev.PatientID] {
			return nil
		}
		if ok, err := c.may(ctx, it.ev.PatientID, it.ev.Scope); !ok || err != nil {
			return err
		}
		return c.write(ctx, it.frame)
	default:
		return c.write(ctx, it.frame)
	}
}

func (c *conn) write(ctx context.Context, frame []byte) error {
	ctx, cancel := context.WithTimeout(ctx, c.h.d.WriteTimeout)
	defer cancel()
	if err := c.sock.Write(ctx, websocket.MessageText, frame); err != nil {
		return fmt.Errorf("%w: %v", errSocket, err)
	}
	return nil
}

// may tells whether the user may see patientID's data in scope, asking
// the access service at most once per TTL.
func (c *conn) may(ctx context.Context, patientID string, scope access.Scope) (bool, error) {
	now := c.h.d.Clock.Now()
	key := cacheKey{patientID, scope}
	if e, ok := c.cache[key]; ok && now.Before(e.until) {
		return e.allowed, nil
	}
	err := c.h.d.Access.Check(ctx, c.viewer, patientID, scope)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return false, err
	}
	c.cache[key] = cacheEntry{allowed: err == nil, until: now.Add(c.h.d.AccessTTL)}
	return err == nil, nil
}

// forget drops what the cache knows of patientID.
func (c *conn) forget(patientID string) {
	for k := range c.cache {
		if k.patientID == patientID {
			delete(c.cache, k)
		}
	}
}

// subscribe checks the session again, then watches the patients asked for
// that the user may see.
func (c *conn) subscribe(ctx context.Context, m *clientMessage) error {
	if !c.recheck(ctx) {
		return nil
	}
	var ids []string
	if m.All {
		ps, err := c.h.d.Access.Patients(ctx, c.viewer)
		if err != nil {
			return err
		}
		for _, p := range ps {
			ids = append(ids, p.ID)
		}
	} else {
		for _, id := range m.Patients {
			err := c.h.d.Access.Check(ctx, c.viewer, id, access.Any)
			if errs.Is(err, errs.NotFound) {
				c.audit(ctx, id, audit.Denied)
				if err := c.write(ctx, errorItem("%s", publicMessage(err)).frame); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
	}
	c.all = m.All
	return c.watch(ctx, ids)
}

// grantChanged forgets cached answers about the patient, follows the
// change in an "all" subscription, and tells the patient and the grantee.
func (c *conn) grantChanged(ctx context.Context, it item) error {
	e := it.ev
	var gc events.GrantChange
	json.Unmarshal(e.Data, &gc)
	c.forget(e.PatientID)
	if c.all && (gc.GranteeID == "" || gc.GranteeID == c.userID) {
		ps, err := c.h.d.Access.Patients(ctx, c.viewer)
		if err != nil {
			return err
		}
		ids := make([]string, len(ps))
		for i, p := range ps {
			ids[i] = p.ID
		}
		if !c.watchingExactly(ids) {
			if err := c.watch(ctx, ids); err != nil {
				return err
			}
		}
	}
	concerned := c.userID == e.PatientID || (gc.GranteeID != "" && gc.GranteeID == c.userID)
	if !concerned || !c.watching[e.PatientID] {
		return nil
	}
	if ok, err := c.may(ctx, e.PatientID, e.Scope); !ok || err != nil {
		return err
	}
	return c.write(ctx, it.frame)
}

func (c *conn) watchingExactly(ids []string) bool {
	if len(ids) != len(c.watching) {
		return false
	}
	for _, id := range ids {
		if !c.watching[id] {
			return false
		}
	}
	return true
}

// watch makes ids the watched patients, records it in the audit log, and
// tells the client.
func (c *conn) watch(ctx context.Context, ids []string) error {
	if ids == nil {
		ids = []string{}
	}
	next := make(map[string]bool, len(ids))
	for _, id := range ids {
		next[id] = true
		if !c.watching[id] {
			c.audit(ctx, id, audit.Success)
		}
	}
	c.watching = next
	c.h.hub.watch(c, ids)
	return c.write(ctx, encode(subscribedFrame{Type: "subscribed", All: c.all, Patients: ids}))
}

func (c *conn) audit(ctx context.Context, patientID, outcome string) {
	if c.h.d.Audit == nil {
		return
	}
	if err := c.h.d.Audit.Record(ctx, audit.Event{Action: "live.subscribe", PatientID: patientID,
		Resource: "/api/v1/live", Outcome: outcome}); err != nil {
		c.h.d.Log.ErrorContext(ctx, "audit write failed", "err", err)
	}
}
