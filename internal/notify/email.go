package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLSMode is how the connection to the SMTP server is protected.
type TLSMode string

// The TLS modes.
const (
	// TLSNone sends in clear text: only for a relay on the same machine or
	// a trusted network.
	TLSNone TLSMode = "none"
	// TLSStartTLS connects in clear and upgrades with STARTTLS, which the
	// server must offer (usually port 587).
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit speaks TLS from the first byte (usually port 465).
	TLSImplicit TLSMode = "tls"
)

// SMTPConfig names the server that sends Tend's email.
type SMTPConfig struct {
	Host string
	// Port defaults to 25 for none, 587 for starttls and 465 for tls.
	Port     int
	Username string
	Password string
	// From is the sender, e.g. "Tend <no-reply@clinic.example>". Make it a
	// mailbox nobody reads for patient matters: Tend's mail says so.
	From string
	// ReplyTo is where replies go; empty means From. It should not be a
	// mailbox where health questions would sit unanswered or be exposed.
	ReplyTo string
	// TLS defaults to starttls.
	TLS TLSMode
	// TLSConfig, when set, replaces the default TLS settings (for a private
	// certificate authority, say).
	TLSConfig *tls.Config
	// Timeout bounds connecting and each command (default 30s).
	Timeout time.Duration
}

// String describes the configuration for logs, without the password.
func (c SMTPConfig) String() string {
	user := c.Username
	if user != "" {
		user += ":***@"
	}
	return fmt.Sprintf("smtp %s%s:%d (%s) from %s", user, c.Host, c.Port, c.TLS, c.From)
}

// LogValue keeps the password out of structured logs.
func (c SMTPConfig) LogValue() slog.Value { return slog.StringValue(c.String()) }

// check validates c and fills in its defaults.
func (c *SMTPConfig) check() error {
	c.Host = strings.TrimSpace(c.Host)
	if c.Host == "" {
		return fmt.Errorf("SMTP: give the mail server's host name")
	}
	if c.TLS == "" {
		c.TLS = TLSStartTLS
	}
	switch c.TLS {
	case TLSNone:
		if c.Port == 0 {
			c.Port = 25
		}
		if c.Username != "" && !isLoopback(c.Host) {
			return fmt.Errorf("SMTP: a password would cross the network in clear text; use TLS mode starttls or tls")
		}
	case TLSStartTLS:
		if c.Port == 0 {
			c.Port = 587
		}
	case TLSImplicit:
		if c.Port == 0 {
			c.Port = 465
		}
	default:
		return fmt.Errorf("SMTP TLS mode %q: use none, starttls or tls", c.TLS)
	}
	if c.Port < 1 || c.Port > 65535 {
		return fmt.Errorf("SMTP port %d: give a port between 1 and 65535", c.Port)
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return fmt.Errorf("SMTP sender %q: give an address such as \"Tend <no-reply@clinic.example>\"", c.From)
	}
	if c.ReplyTo != "" {
		if _, err := mail.ParseAddress(c.ReplyTo); err != nil {
			return fmt.Errorf("SMTP reply-to %q is not an email address", c.ReplyTo)
		}
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.TLSConfig != nil {
		c.TLSConfig = c.TLSConfig.Clone()
		if c.TLSConfig.ServerName == "" {
			c.TLSConfig.ServerName = c.Host
		}
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// email is one message ready to go.
type email struct {
	messageID string // without angle brackets
	toName    string
	toAddr    string
	subject   string
	text      string
	html      string
	critical  bool
	date      time.Time
}

var emailHTML = template.Must(template.New("email").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body style="font-family: sans-serif; line-height: 1.4; color: #222; max-width: 40em;">
<h1 style="font-size: 1.2em;">{{.Title}}</h1>
{{range .Paragraphs}}<p>{{.}}</p>
{{end}}{{if .Link}}<p><a href="{{.Link}}">Open in Tend</a></p>
{{end}}<hr>
<p style="font-size: 0.85em; color: #666;">This message was sent automatically by Tend. Replies are not read: please use Tend to answer. You can choose which notifications reach you by email in your notification settings.</p>
</body></html>
`))

const emailFooter = "This message was sent automatically by Tend. Replies are not read: please use Tend to answer.\nYou can choose which notifications reach you by email in your notification settings."

// composeEmail renders n as a message for one person.
func (s *Service) composeEmail(deliveryID string, n Notification, toName, toAddr string, now time.Time) (email, error) {
	link := ""
	if s.cfg.BaseURL != "" { // a bare path means nothing in a mail program
		link = s.absolute(n.Link)
	}
	var text strings.Builder
	if n.Body != "" {
		text.WriteString(n.Body + "\n\n")
	}
	if link != "" {
		text.WriteString("Open in Tend: " + link + "\n\n")
	}
	text.WriteString("-- \n" + emailFooter + "\n")

	var paragraphs []string
	for _, p := range strings.Split(strings.ReplaceAll(n.Body, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			paragraphs = append(paragraphs, p)
		}
	}
	var html bytes.Buffer
	if err := emailHTML.Execute(&html, map[string]any{"Title": n.Title, "Paragraphs": paragraphs, "Link": link}); err != nil {
		return email{}, err
	}
	domain := "tend.invalid"
	if a, err := mail.ParseAddress(s.cfg.SMTP.From); err == nil {
		if at := strings.LastIndex(a.Address, "@"); at >= 0 {
			domain = a.Address[at+1:]
		}
	}
	return email{
		messageID: deliveryID + "@" + domain,
		toName:    toName,
		toAddr:    toAddr,
		subject:   n.Title,
		text:      text.String(),
		html:      html.String(),
		critical:  n.Severity == Critical,
		date:      now,
	}, nil
}

// sendEmail hands e to the SMTP server.
func (s *Service) sendEmail(ctx context.Context, e email) error {
	c := s.cfg.SMTP
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := m.From(c.From); err != nil {
		return fmt.Errorf("sender: %w", err)
	}
	if err := m.AddToFormat(e.toName, e.toAddr); err != nil {
		return fmt.Errorf("recipient: %w", err)
	}
	replyTo := c.ReplyTo
	if replyTo == "" {
		replyTo = c.From
	}
	if err := m.ReplyTo(replyTo); err != nil {
		return fmt.Errorf("reply-to: %w", err)
	}
	m.Subject(e.subject)
	m.SetMessageIDWithValue(e.messageID)
	m.SetDateWithValue(e.date)
	// An automatic message: no out-of-office or other automatic answers (RFC 3834).
	m.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	m.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	if e.critical {
		m.SetImportance(gomail.ImportanceHigh)
	}
	m.SetBodyString(gomail.TypeTextPlain, e.text)
	m.AddAlternativeString(gomail.TypeTextHTML, e.html)

	opts := []gomail.Option{gomail.WithPort(c.Port), gomail.WithTimeout(c.Timeout)}
	switch c.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	}
	if c.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(c.TLSConfig))
	}
	if c.Username != "" {
		// Over TLS, the strongest mechanism the server offers; in clear text
		// (allowed to a relay on this machine only), PLAIN.
		auth := gomail.SMTPAuthAutoDiscover
		if c.TLS == TLSNone {
			auth = gomail.SMTPAuthPlain
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(c.Username), gomail.WithPassword(c.Password))
	}
	client, err := gomail.NewClient(c.Host, opts...)
	if err != nil {
		return fmt.Errorf("preparing SMTP client: %w", err)
	}
	err = client.DialAndSendWithContext(ctx, m)
	if err != nil && m.IsDelivered() {
		// The server took the message; only the goodbye went wrong. Sending
		// it again would deliver it twice.
		s.log.Info("notify: SMTP server accepted the message, then the session failed", "err", err)
		return nil
	}
	var se *gomail.SendError
	if errors.As(err, &se) && se.Reason == gomail.ErrSMTPRcptTo && !se.IsTemp() {
		// The server refuses the address for good (5xx): trying again will not help.
		return permanent{err}
	}
	return err
}
