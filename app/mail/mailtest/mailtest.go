// Package mailtest runs an in-process SMTP server for tests: it accepts any login
// and every message, keeps them in memory, and parses them back into subject, bodies
// and attachments.
package mailtest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"seance/app/config"
)

// Server is a running test SMTP server on 127.0.0.1, without TLS.
type Server struct {
	Addr string // host:port

	host      string
	port      int
	ln        net.Listener
	srv       *smtp.Server
	closeOnce sync.Once
	closeErr  error

	mu       sync.Mutex
	received []Received
	rejected map[string]bool
	failing  bool
}

// Received is one message as the server got it.
type Received struct {
	From string   // envelope sender (MAIL FROM)
	To   []string // envelope recipients (RCPT TO)
	Auth string   // user name of the AUTH PLAIN login, "" without login
	Data []byte   // the message as transmitted (CRLF line endings, dot-stuffing removed)
}

// NewServer starts a server on a free port of 127.0.0.1; it stops when the test ends.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{rejected: map[string]bool{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{server: s}, nil
	}))
	srv.Domain = "mailtest.invalid"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 30 << 20
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	tcp := ln.Addr().(*net.TCPAddr)
	s.srv, s.ln, s.Addr, s.host, s.port = srv, ln, ln.Addr().String(), tcp.IP.String(), tcp.Port
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("mailtest: close: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("mailtest: serve: %v", err)
		}
	})
	return s
}

// Close stops the server (tests of an unreachable server call it early); later calls do nothing.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = s.srv.Close()
		// Serve may not have registered the listener yet: close it here too.
		if err := s.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) && s.closeErr == nil {
			s.closeErr = err
		}
	})
	return s.closeErr
}

// Env returns the SMTP_* environment variables pointing at the server (no TLS, a test login).
func (s *Server) Env() map[string]string {
	return map[string]string{
		"SMTP_HOST":     s.host,
		"SMTP_PORT":     strconv.Itoa(s.port),
		"SMTP_USERNAME": "seance",
		"SMTP_PASSWORD": "mailtest",
		"SMTP_FROM":     "Séance — Commission <no-reply@seance.test>",
		"SMTP_TLS":      "none",
	}
}

// Config returns a configuration loaded with Env (other settings at their defaults).
func (s *Server) Config(t testing.TB) *config.Config {
	t.Helper()
	env := s.Env()
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("mailtest: config: %v", err)
	}
	return cfg
}

// RejectRecipient makes the server refuse addr at RCPT TO (550), as for an unknown mailbox.
func (s *Server) RejectRecipient(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejected[strings.ToLower(addr)] = true
}

// SetFailing makes the server answer every message with a temporary failure (451),
// as a relay that is down or overloaded, until it is called with false.
func (s *Server) SetFailing(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = on
}

// Messages returns the messages received so far, in order.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// TextsTo returns, in order, the subject and text body (separated by a line break) of
// each message received for addr alone.
func (s *Server) TextsTo(t testing.TB, addr string) []string {
	t.Helper()
	var out []string
	for _, m := range s.Messages() {
		if len(m.To) == 1 && m.To[0] == addr {
			p, err := m.Parse()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, p.Subject+"\n"+p.Text)
		}
	}
	return out
}

type session struct {
	server *Server
	auth   string
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, _ string) error {
		ss.auth = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.server.mu.Lock()
	failing := ss.server.failing
	ss.server.mu.Unlock()
	if failing {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.server.mu.Lock()
	defer ss.server.mu.Unlock()
	if ss.server.rejected[strings.ToLower(to)] {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.server.mu.Lock()
	defer ss.server.mu.Unlock()
	ss.server.received = append(ss.server.received, Received{From: ss.from, To: ss.to, Auth: ss.auth, Data: b})
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

// Parsed is a received message decoded: headers, subject, bodies and attachments.
type Parsed struct {
	Header  mail.Header
	Subject string // decoded (RFC 2047)
	Text    string // the text/plain body, decoded, with LF line breaks
	TextCT  string // its Content-Type header
	HTML    string // the text/html alternative, decoded, with LF line breaks; "" without one
	// Attachments in order.
	Attachments []Attachment
}

// Attachment is one decoded attachment.
type Attachment struct {
	Filename    string
	ContentType string // the full Content-Type header, with its parameters
	Data        []byte
}

// Parse decodes the message with net/mail and mime/multipart.
func (r Received) Parse() (*Parsed, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		return nil, fmt.Errorf("mailtest: read message: %w", err)
	}
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return nil, fmt.Errorf("mailtest: subject: %w", err)
	}
	p := &Parsed{Header: msg.Header, Subject: subject}
	err = p.walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// walk decodes one MIME entity, descending into multiparts.
func (p *Parsed) walk(contentType, encoding, disposition string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain; charset=us-ascii"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("mailtest: content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("mailtest: multipart: %w", err)
			}
			err = p.walk(part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"),
				part.Header.Get("Content-Disposition"), part)
			if err != nil {
				return err
			}
		}
	}
	data, err := decode(encoding, body)
	if err != nil {
		return err
	}
	dispType, name := "inline", ""
	if disposition != "" {
		t, dp, err := mime.ParseMediaType(disposition)
		if err != nil {
			return fmt.Errorf("mailtest: content disposition %q: %w", disposition, err)
		}
		dispType, name = t, dp["filename"]
	}
	if name == "" {
		name = params["name"]
	}
	switch {
	case dispType == "attachment" || name != "":
		p.Attachments = append(p.Attachments, Attachment{Filename: name, ContentType: contentType, Data: data})
	case mediaType == "text/plain" && p.TextCT == "":
		p.Text, p.TextCT = lf(data), contentType
	case mediaType == "text/html" && p.HTML == "":
		p.HTML = lf(data)
	default:
		return fmt.Errorf("mailtest: unexpected inline part %s", mediaType)
	}
	return nil
}

func decode(encoding string, body io.Reader) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body) // ignores the line breaks
	case "", "7bit", "8bit", "binary":
	default:
		return nil, fmt.Errorf("mailtest: unknown transfer encoding %q", encoding)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return nil, fmt.Errorf("mailtest: decode %s body: %w", encoding, err)
	}
	return b, nil
}

// lf turns the CRLF line breaks of a MIME text body into LF.
func lf(b []byte) string { return strings.ReplaceAll(string(b), "\r\n", "\n") }
