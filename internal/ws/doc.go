// Package ws is Tend's live door: one WebSocket per browser tab, at
// GET /api/v1/live, over which the server pushes what happens to the
// patients the user watches, the moment it happens, to nobody else.
//
// # Signing in
//
// A browser signs in with its session cookie (tend_session); the socket is
// refused (403) when its Origin header names another host than the one it
// was sent to, so that another site cannot open a socket with the user's
// cookie. A program that is not a browser sends its personal API token in
// an "Authorization: Bearer …" header. A token in the URL (?access_token=)
// is refused with 400: URLs end up in logs and browser history. Without a
// valid session or token the answer is 401, before any upgrade.
//
// The server checks the session (or token) again when the client
// subscribes and every minute; once it has ended (logout, expiry, disabled
// account, revoked token) the server sends an error and closes the socket.
//
// # Messages
//
// Every message is a JSON text frame with a "type".
//
// From the client:
//
//	{"type":"subscribe","patients":["<patient id>", …]}
//	{"type":"subscribe","all":true}
//
// The first watches the named patients, the second every patient the user
// may see (and follows changes to that set as grants are made or revoked).
// Each subscribe replaces the one before; {"type":"subscribe","patients":[]}
// stops watching. A patient the user may not see is left out, with an error
// message that does not tell whether the patient exists.
//
// From the server:
//
//	{"type":"subscribed","all":false,"patients":["<id>", …]}
//	    the patients now watched: the answer to each subscribe, and sent
//	    again when the set of an "all" subscription changes
//	{"type":"event","event":{"id":…,"kind":"reading.created","patientId":…,
//	    "scope":"vitals","at":"2025-…Z","data":{…}}}
//	    something happened to a watched patient; data depends on the kind
//	{"type":"lagged"}
//	    events were lost (this connection or the server fell behind); the
//	    server closes the socket next. Reload what is shown, reconnect and
//	    subscribe again.
//	{"type":"error","detail":"…"}
//	    a message could not be acted on, or the session ended (then the
//	    socket closes)
//
// The server also sends WebSocket pings every 25 seconds; browsers answer
// them by themselves. Close codes: 1000 normal, 1001 server shutting down,
// 4001 session ended (sign in again), 4002 lagged (reload and reconnect).
//
// # Who hears what
//
// An event reaches a connection only when its user may see the event's
// patient in the event's scope (access.Service.Check): the patient, a
// care-team professional, or a family member or professional the patient
// shared that scope with. Being an administrator opens nothing. Answers are
// kept per connection for 30 seconds, and forgotten at once when a
// "grant.changed" event for the user (or for everyone) arrives, so a
// revoked grant stops the flow at once when its revocation is published,
// and within 30 seconds in any case (an expiry, or a change nobody
// published). A grant.changed event itself reaches only the patient and
// the grantee it names. Each subscription to a patient is written to the
// audit log, refusals too.
//
// An event addressed to one user ("userId" set, such as
// "notification.sent", which names a new notification for them) reaches
// that user's own connections only, whether or not they watch any patient;
// a connection may subscribe to no patients just to hear these.
//
// # Backpressure
//
// Each connection has a bounded queue of frames to send. A connection that
// cannot keep up (its queue fills) is sent "lagged" and closed; it never
// holds more memory than its queue nor slows anyone else. A peer that takes
// no data at all for 10 seconds, or answers no ping, is dropped without
// ceremony: there is no way left to tell it anything.
//
// # Mounting
//
//	live := ws.New(ws.Deps{Bus: bus, People: peopleSvc, Access: accessSvc, Audit: auditLog, Log: log})
//	mux.Handle("GET /api/v1/live", live)
//	defer live.Close() // at shutdown, after the HTTP server stops accepting
//
// The handler authenticates by itself, so it may sit behind the API's
// middleware or beside it.
package ws
