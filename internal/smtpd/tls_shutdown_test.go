package smtpd_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/smtp"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/smtpd"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

func TestStartTLS(t *testing.T) {
	cert := selfSigned(t)
	r := start(t, storetest.SQLite(t), smtpd.Config{TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}})
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	c, err := smtp.Dial(r.srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Extension("STARTTLS"); !ok {
		t.Fatal("STARTTLS not offered")
	}
	c.Close()
	if err := send(t, r.srv.Addr(), &tls.Config{ServerName: "mx.example.jp", RootCAs: pool}, "hanako@customer.co.jp",
		[]string{"support@example.jp"}, japaneseMail(t, "tls@c")); err != nil {
		t.Fatalf("mail over STARTTLS: %v", err)
	}
	if n := len(rows(t, r.db)); n != 1 {
		t.Fatalf("%d rows", n)
	}
	// Without a certificate STARTTLS is not offered.
	plain := start(t, storetest.SQLite(t), smtpd.Config{})
	c, err = smtp.Dial(plain.srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		t.Fatal("STARTTLS offered without a certificate")
	}
}

func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mx.example.jp"}, DNSNames: []string{"mx.example.jp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// slowStore signals when a write starts and holds it until released.
type slowStore struct {
	store.Store
	entered chan struct{}
	release chan struct{}
}

func (s slowStore) Write(ctx context.Context, fn func(*store.Tx) error) error {
	s.entered <- struct{}{}
	<-s.release
	return s.Store.Write(ctx, fn)
}

// TestGracefulShutdown: a shutdown closes idle connections at once but lets
// a message being stored finish and get its 250.
func TestGracefulShutdown(t *testing.T) {
	db := storetest.SQLite(t)
	r := start(t, db, smtpd.Config{})
	slow := slowStore{Store: db, entered: make(chan struct{}), release: make(chan struct{})}
	r.spool.Store = slow

	idle, err := smtp.Dial(r.srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	if err := idle.Hello("idle.example.jp"); err != nil {
		t.Fatal(err)
	}
	sent := make(chan error, 1)
	go func() {
		sent <- send(t, r.srv.Addr(), nil, "hanako@customer.co.jp", []string{"support@example.jp"}, japaneseMail(t, "inflight@c"))
	}()
	<-slow.entered // the message is being stored

	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- r.srv.Shutdown(ctx)
	}()
	// The idle client is disconnected while the other message is still in flight.
	deadline := time.Now().Add(5 * time.Second)
	for idle.Noop() == nil {
		if time.Now().After(deadline) {
			t.Fatal("idle connection still open during shutdown")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-shut:
		t.Fatalf("shutdown returned before the message in flight was answered: %v", err)
	default:
	}
	close(slow.release)
	if err := <-sent; err != nil {
		t.Fatalf("message in flight during shutdown: %v", err)
	}
	if err := <-shut; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if n := len(rows(t, db)); n != 1 {
		t.Fatalf("%d rows", n)
	}
	if _, err := smtp.Dial(r.srv.Addr()); err == nil {
		t.Fatal("still accepting connections after shutdown")
	}
}
