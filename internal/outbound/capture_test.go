package outbound_test

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// capture is a real SMTP server on loopback that keeps what it receives.
// Its answers can be scripted to test retries and failures.
type capture struct {
	addr string
	mu   sync.Mutex
	got  []captured
	// rcpt and data, when set, decide the answer to each RCPT TO and to
	// the n-th DATA (counting from 1); nil accepts.
	rcpt  func(to string) error
	data  func(n int) error
	datas int
	auths []string // usernames that logged in
}

type captured struct {
	From string
	To   []string
	Data []byte
}

func startCapture(t *testing.T) *capture {
	t.Helper()
	c := &capture{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{c: c}, nil }))
	srv.Domain = "capture.test"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return c
}

func (c *capture) messages() []captured {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]captured(nil), c.got...)
}

type session struct {
	c    *capture
	from string
	to   []string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != "kizuna" || pass != "送信用パスワード" {
			return errors.New("invalid credentials")
		}
		s.c.mu.Lock()
		s.c.auths = append(s.c.auths, user)
		s.c.mu.Unlock()
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.c.mu.Lock()
	f := s.c.rcpt
	s.c.mu.Unlock()
	if f != nil {
		if err := f(to); err != nil {
			return err
		}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	s.c.datas++
	if s.c.data != nil {
		if err := s.c.data(s.c.datas); err != nil {
			return err
		}
	}
	s.c.got = append(s.c.got, captured{From: s.from, To: s.to, Data: b})
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }
