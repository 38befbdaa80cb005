package mailprobe_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/kizuna-desk/kizuna/internal/blob"
	"github.com/kizuna-desk/kizuna/internal/imappoll/imaptest"
	"github.com/kizuna-desk/kizuna/internal/inbound"
	"github.com/kizuna-desk/kizuna/internal/mailprobe"
	"github.com/kizuna-desk/kizuna/internal/smtpd"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "mx.example.jp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// ourSMTP starts Kizuna's own listener (internal/smtpd), with STARTTLS when
// tlsCfg is set.
func ourSMTP(t *testing.T, tlsCfg *tls.Config) (host string, port int) {
	t.Helper()
	db := storetest.SQLite(t)
	blobs, err := blob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := smtpd.New(smtpd.Config{Addr: "127.0.0.1:0", TLSConfig: tlsCfg}, db, &inbound.Spool{Store: db, Blobs: blobs}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return splitAddr(t, srv.Addr())
}

func splitAddr(t *testing.T, addr string) (string, int) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return h, n
}

func want(t *testing.T, what string, r mailprobe.Result, ok bool, step, errPart string) {
	t.Helper()
	if r.OK != ok || r.Step != step || (errPart != "" && (r.Err == nil || !strings.Contains(r.Err.Error(), errPart))) {
		t.Errorf("%s: got %v (step %s), want ok=%v step=%s error containing %q", what, r, r.Step, ok, step, errPart)
	}
}

func TestSMTPAgainstOwnListener(t *testing.T) {
	ctx := context.Background()
	host, port := ourSMTP(t, nil)
	r := mailprobe.SMTP(ctx, mailprobe.Config{Host: host, Port: port})
	want(t, "plain, STARTTLS if offered", r, true, mailprobe.StepDone, "")
	if r.TLS {
		t.Error("a session without STARTTLS reported as encrypted")
	}
	want(t, "STARTTLS required", mailprobe.SMTP(ctx, mailprobe.Config{Host: host, Port: port, TLS: "starttls"}), false, mailprobe.StepStartTLS, "STARTTLS")
	want(t, "login without AUTH", mailprobe.SMTP(ctx, mailprobe.Config{Host: host, Port: port, TLS: "none", Username: "support@example.jp", Password: "x"}),
		false, mailprobe.StepLogin, "AUTH")
	want(t, "implicit TLS on a plain port", mailprobe.SMTP(ctx, mailprobe.Config{Host: host, Port: port, TLS: "tls", Timeout: 3 * time.Second}),
		false, mailprobe.StepTLS, "")

	tlsHost, tlsPort := ourSMTP(t, &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}})
	r = mailprobe.SMTP(ctx, mailprobe.Config{Host: tlsHost, Port: tlsPort, TLS: "starttls", Insecure: true})
	want(t, "STARTTLS, self-signed allowed", r, true, mailprobe.StepDone, "")
	if !r.TLS {
		t.Error("STARTTLS session not reported as encrypted")
	}
	want(t, "STARTTLS, certificate checked", mailprobe.SMTP(ctx, mailprobe.Config{Host: tlsHost, Port: tlsPort, TLS: "starttls"}),
		false, mailprobe.StepStartTLS, "certificate")
}

// authBackend is a submission server that takes one user name and password.
type authBackend struct{}

func (authBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &authSession{}, nil }

type authSession struct{}

func (*authSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (*authSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user == "窓口@example.jp" && pass == "正しいパスワード" {
			return nil
		}
		return errors.New("invalid credentials")
	}), nil
}
func (*authSession) Mail(string, *smtp.MailOptions) error { return nil }
func (*authSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (*authSession) Data(io.Reader) error                 { return nil }
func (*authSession) Reset()                               {}
func (*authSession) Logout() error                        { return nil }

func TestSMTPAuth(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(authBackend{})
	srv.Domain = "submission.example.jp"
	srv.AllowInsecureAuth = false
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	host, port := splitAddr(t, ln.Addr().String())
	ctx := context.Background()
	c := mailprobe.Config{Host: host, Port: port, TLS: "starttls", Insecure: true, Username: "窓口@example.jp", Password: "正しいパスワード"}
	want(t, "AUTH PLAIN after STARTTLS", mailprobe.SMTP(ctx, c), true, mailprobe.StepDone, "")
	c.Password = "違う"
	want(t, "wrong password", mailprobe.SMTP(ctx, c), false, mailprobe.StepLogin, "")
}

func TestConnectFailures(t *testing.T) {
	ctx := context.Background()
	// A port nobody listens on.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	host, port := splitAddr(t, ln.Addr().String())
	ln.Close()
	want(t, "refused SMTP", mailprobe.SMTP(ctx, mailprobe.Config{Host: host, Port: port}), false, mailprobe.StepConnect, "refused")
	want(t, "refused IMAP", mailprobe.IMAP(ctx, mailprobe.Config{Host: host, Port: port, TLS: "none"}), false, mailprobe.StepConnect, "refused")
	want(t, "no host", mailprobe.IMAP(ctx, mailprobe.Config{}), false, mailprobe.StepConfig, "host")

	// A server that accepts and then says nothing: the timeout ends it.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	host, port = splitAddr(t, silent.Addr().String())
	start := time.Now()
	r := mailprobe.SMTP(ctx, mailprobe.Config{Host: host, Port: port, TLS: "none", Timeout: 300 * time.Millisecond})
	want(t, "silent SMTP", r, false, mailprobe.StepGreeting, "timed out")
	r = mailprobe.IMAP(ctx, mailprobe.Config{Host: host, Port: port, TLS: "none", Timeout: 300 * time.Millisecond})
	want(t, "silent IMAP", r, false, mailprobe.StepGreeting, "timed out")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("timeouts took %v", d)
	}
}

func TestIMAPDovecot(t *testing.T) {
	dv := imaptest.Start(t)
	ctx := context.Background()
	base := mailprobe.Config{Host: dv.Host, Username: dv.Username, Password: dv.Password, Insecure: true}
	for _, c := range []struct {
		name string
		port int
		tls  string
	}{{"STARTTLS", dv.Port, "starttls"}, {"implicit TLS", dv.TLSPort, "tls"}, {"plain", dv.Port, "none"}} {
		cfg := base
		cfg.Port, cfg.TLS = c.port, c.tls
		r := mailprobe.IMAP(ctx, cfg)
		want(t, c.name, r, true, mailprobe.StepDone, "")
		if r.TLS != (c.tls != "none") {
			t.Errorf("%s: TLS = %v", c.name, r.TLS)
		}
	}
	cfg := base
	cfg.Port, cfg.TLS, cfg.Password = dv.Port, "starttls", "違うパスワード"
	want(t, "wrong password", mailprobe.IMAP(ctx, cfg), false, mailprobe.StepLogin, "")
	cfg = base
	cfg.Port, cfg.TLS, cfg.Mailbox = dv.Port, "starttls", "存在しないフォルダ"
	want(t, "missing mailbox", mailprobe.IMAP(ctx, cfg), false, mailprobe.StepSelect, "")
	cfg = base
	cfg.Port, cfg.TLS, cfg.Insecure = dv.TLSPort, "tls", false
	want(t, "self-signed certificate checked", mailprobe.IMAP(ctx, cfg), false, mailprobe.StepTLS, "certificate")
	cfg = base
	cfg.Port, cfg.TLS, cfg.Insecure = dv.Port, "starttls", false
	want(t, "self-signed certificate checked (STARTTLS)", mailprobe.IMAP(ctx, cfg), false, mailprobe.StepStartTLS, "certificate")
}

func TestFromSettings(t *testing.T) {
	m := map[string]any{"host": "imap.example.jp", "port": float64(993), "tls": "TLS", "username": "support@example.jp", "password": "sealed", "insecure": true}
	c, err := mailprobe.FromSettings(m, func(s string) (string, error) { return "opened-" + s, nil })
	if err != nil || c.Host != "imap.example.jp" || c.Port != 993 || c.TLS != "tls" || c.Password != "opened-sealed" || !c.Insecure {
		t.Fatalf("FromSettings = %+v, %v", c, err)
	}
	if _, err := mailprobe.FromSettings(m, func(string) (string, error) { return "", errors.New("bad key") }); err == nil {
		t.Fatal("a password that cannot be opened was ignored")
	}
}
