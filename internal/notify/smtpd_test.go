package notify_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpServer is a small, real SMTP server for tests: it speaks enough of
// RFC 5321 for a client library (EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT,
// DATA, RSET, NOOP, QUIT), keeps what it receives, and can be told to
// refuse mail for a while.
type smtpServer struct {
	t        *testing.T
	ln       net.Listener
	tls      *tls.Config // offers STARTTLS when set (and not implicit)
	implicit bool        // TLS from the first byte
	user     string      // AUTH PLAIN required when set
	pass     string

	mu      sync.Mutex
	mails   []receivedMail
	refuse  int // refuse this many more transactions with a 451
	refused int
}

type receivedMail struct {
	From string
	To   []string
	Data []byte
	TLS  bool
	Auth string
}

type smtpOptions struct {
	startTLS bool
	implicit bool
	user     string
	pass     string
}

func newSMTPServer(t *testing.T, o smtpOptions) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{t: t, ln: ln, implicit: o.implicit, user: o.user, pass: o.pass}
	if o.startTLS || o.implicit {
		s.tls = &tls.Config{Certificates: []tls.Certificate{testCert(t)}}
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { s.serve(c) })
		}
	})
	return s
}

func (s *smtpServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// refuseNext makes the next n transactions fail with a temporary error.
func (s *smtpServer) refuseNext(n int) {
	s.mu.Lock()
	s.refuse = n
	s.mu.Unlock()
}

func (s *smtpServer) received() []receivedMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]receivedMail(nil), s.mails...)
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	secure := false
	if s.implicit {
		c = tls.Server(c, s.tls)
		secure = true
	}
	tc := textproto.NewConn(c)
	reply := func(format string, args ...any) bool { return tc.PrintfLine(format, args...) == nil }
	if !reply("220 127.0.0.1 tend-test ESMTP") {
		return
	}
	var m receivedMail
	authed := ""
	for {
		line, err := tc.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			m = receivedMail{}
			lines := []string{"127.0.0.1 greets " + arg}
			if s.tls != nil && !secure {
				lines = append(lines, "STARTTLS")
			}
			if s.user != "" && secure {
				lines = append(lines, "AUTH PLAIN")
			}
			lines = append(lines, "HELP")
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				if !reply("250%s%s", sep, l) {
					return
				}
			}
		case "STARTTLS":
			if s.tls == nil || secure {
				reply("502 5.5.1 not offered")
				continue
			}
			reply("220 2.0.0 ready to start TLS")
			tlsConn := tls.Server(c, s.tls)
			if err := tlsConn.Handshake(); err != nil {
				return
			}
			c, secure = tlsConn, true
			tc = textproto.NewConn(c)
			m, authed = receivedMail{}, ""
		case "AUTH":
			mech, initial, _ := strings.Cut(arg, " ")
			if !strings.EqualFold(mech, "PLAIN") || !secure {
				reply("504 5.5.4 mechanism not offered")
				continue
			}
			if initial == "" {
				reply("334 ")
				if initial, err = tc.ReadLine(); err != nil {
					return
				}
			}
			raw, _ := base64.StdEncoding.DecodeString(initial)
			parts := strings.Split(string(raw), "\x00")
			if len(parts) == 3 && parts[1] == s.user && parts[2] == s.pass {
				authed = parts[1]
				reply("235 2.7.0 authenticated")
			} else {
				reply("535 5.7.8 bad credentials")
			}
		case "MAIL":
			if s.user != "" && authed == "" {
				reply("530 5.7.0 authentication required")
				continue
			}
			s.mu.Lock()
			refuse := s.refuse > 0
			if refuse {
				s.refuse--
				s.refused++
			}
			s.mu.Unlock()
			if refuse {
				reply("451 4.3.0 mail system busy, try again later")
				continue
			}
			m = receivedMail{From: addrOf(arg), TLS: secure, Auth: authed}
			reply("250 2.1.0 ok")
		case "RCPT":
			if m.From == "" {
				reply("503 5.5.1 MAIL first")
				continue
			}
			if to := addrOf(arg); strings.HasSuffix(to, "@gone.example") {
				reply("550 5.1.1 no such mailbox")
			} else {
				m.To = append(m.To, to)
				reply("250 2.1.5 ok")
			}
		case "DATA":
			if len(m.To) == 0 {
				reply("503 5.5.1 RCPT first")
				continue
			}
			reply("354 end with <CRLF>.<CRLF>")
			data, err := tc.ReadDotBytes()
			if err != nil {
				return
			}
			m.Data = data
			s.mu.Lock()
			s.mails = append(s.mails, m)
			s.mu.Unlock()
			m = receivedMail{}
			reply("250 2.0.0 queued")
		case "RSET":
			m = receivedMail{}
			reply("250 2.0.0 ok")
		case "NOOP":
			reply("250 2.0.0 ok")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			reply("502 5.5.2 command not recognised")
		}
	}
}

// addrOf takes the address out of "FROM:<a@b> PARAM=…".
func addrOf(arg string) string {
	if i := strings.IndexByte(arg, '<'); i >= 0 {
		if j := strings.IndexByte(arg[i:], '>'); j >= 0 {
			return arg[i+1 : i+j]
		}
	}
	return arg
}

// testCert makes a self-signed certificate for 127.0.0.1 and localhost.
func testCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "tend test smtp"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// roots trusts the certificate of s.
func (s *smtpServer) roots(t *testing.T) *x509.CertPool {
	cert, err := x509.ParseCertificate(s.tls.Certificates[0].Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

// parsedMail is a received message taken apart.
type parsedMail struct {
	Header mail.Header
	To     string
	Subj   string
	Text   string
	HTML   string
}

func parseMail(t *testing.T, data []byte) parsedMail {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("reading message: %v\n%s", err, data)
	}
	dec := new(mime.WordDecoder)
	subj, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	to, err := dec.DecodeHeader(msg.Header.Get("To"))
	if err != nil {
		t.Fatal(err)
	}
	p := parsedMail{Header: msg.Header, To: to, Subj: subj}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mediaType, "multipart/") {
		t.Fatalf("content type %q: want multipart (%v)", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = part
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			r = quotedprintable.NewReader(part)
		} else if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
			r = base64.NewDecoder(base64.StdEncoding, bufio.NewReader(part))
		}
		body, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			p.Text = string(body)
		case "text/html":
			p.HTML = string(body)
		}
	}
	return p
}
