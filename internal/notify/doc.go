// Package notify gets a message to a person or to another system, and
// makes sure it arrives: an alert to a nurse, a booking to a doctor, a
// reminder to a patient, an event to a hospital's integration engine.
//
// # How a notification travels
//
// A service calls Send. Send writes the notification and its outbound
// deliveries in one transaction and returns; nothing is sent while the
// caller waits, and nothing is lost if the process stops afterwards.
//
//   - In the app: the notification row is the recipient's inbox entry
//     (Inbox, Unread, MarkRead). It is always on and never held back, since
//     a list in the web app wakes nobody.
//   - Email: one delivery, if the installation has an SMTP server and the
//     recipient's rules want this kind at this severity.
//   - Webhooks: one delivery per registered webhook whose kinds match, and
//     one per event, not per recipient: notifications that share an EventID
//     (one alert told to three clinicians) reach each webhook once.
//
// A Deliverer (any number of them, on any number of nodes) claims due
// deliveries, makes them, and records the outcome. A failed attempt is
// retried after 30s, 1m, 2m, … up to an hour apart; after MaxAttempts it is
// marked failed, listed by FailedDeliveries and can be queued again by
// RetryDelivery. A claim is a lease: on PostgreSQL rows are taken with
// FOR UPDATE SKIP LOCKED so workers never wait on, or take, each other's
// rows; on SQLite the single writer serialises claims. A delivery is marked
// delivered once the mail server or receiver accepts it, and a delivered
// row is never claimed again. If a worker dies between sending and
// recording, the lease runs out and the message is sent a second time, so
// every copy carries a stable id for the receiver to drop repeats: the
// email's Message-ID and the webhook's Tend-Event-Id.
//
// # What people choose
//
// Preferences hold, per user, rules by kind (exact, a family such as
// alert.*, or *) saying which severities also go by email, and optional
// quiet hours read in the user's time zone. During quiet hours a
// non-critical email waits (it is not dropped) until the window ends on
// the wall clock, across midnight and on the nights the clocks change;
// critical ones pass. The Deliverer asks again at sending time, so a
// change of mind applies to what is still waiting.
//
// A DedupeKey makes repeats within a window (Config.DedupeWindow) into
// no-ops: one notification for a condition that keeps firing.
//
// # Email
//
// Messages go through the SMTP server in SMTPConfig, over STARTTLS or TLS
// unless told otherwise, as plain text with a simple HTML alternative.
// Replies go to ReplyTo (or From), which should be a mailbox nobody reads
// for patient matters; the message says replies are not read, and carries
// Auto-Submitted so that out-of-office answers are not sent back. Bodies
// should carry no more health detail than the reader needs to act: the
// link leads to the rest behind a sign-in.
//
// # Webhooks
//
// Each event is a POST of a JSON WebhookEvent with the headers
//
//	Tend-Event-Id: <event id, the same on every retry>
//	Tend-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">
//
// keyed with the webhook's secret. A receiver should read the raw body,
// call VerifySignature (or do the same: recompute the HMAC, compare in
// constant time, and refuse a timestamp more than a few minutes from its
// own clock), answer 2xx quickly, and ignore event ids it has seen. Any
// other answer, a redirect or a timeout counts as a failure and is retried.
//
// Only http and https URLs are accepted, but Tend does not judge where they
// point: whoever registers a webhook (an administrator) decides where the
// installation sends data, and the operator is responsible for what
// outbound traffic the network allows, for instance keeping webhooks away
// from internal services with an egress proxy or firewall rules.
package notify
