// Package imaptest starts a throwaway Dovecot for tests: its own config and
// Maildir storage in temporary directories, one passwd-file user, plaintext
// login allowed, listening on free loopback ports (IMAP with STARTTLS and
// implicit-TLS IMAPS, both with a fresh self-signed certificate).
//
// Without Dovecot installed the test is skipped, unless
// KIZUNA_REQUIRE_DOVECOT=1 (set by scripts/test.sh), which fails it.
package imaptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Server is a running Dovecot.
type Server struct {
	Host               string // 127.0.0.1
	Port, TLSPort      int    // IMAP (plain or STARTTLS) and IMAPS
	Username, Password string
	dir                string
}

// Binary finds the dovecot executable, or "".
func Binary() string {
	if p, err := exec.LookPath("dovecot"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/dovecot"); err == nil {
		return "/usr/sbin/dovecot"
	}
	return ""
}

// Start runs a Dovecot until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		if os.Getenv("KIZUNA_REQUIRE_DOVECOT") == "1" {
			t.Fatal("dovecot is not installed but KIZUNA_REQUIRE_DOVECOT=1 (apt-get install dovecot-imapd)")
		}
		t.Skip("dovecot not installed; run ./scripts/test.sh to install it")
	}
	// Unix socket paths are short (108 bytes): keep base_dir near the root
	// instead of inside the test's long temporary path.
	dir, err := os.MkdirTemp("", "kzdv")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s := &Server{Host: "127.0.0.1", Port: freePort(t), TLSPort: freePort(t), Username: "support@example.jp", Password: "ひみつ-secret", dir: dir}

	if err := writeCert(dir); err != nil {
		t.Fatal(err)
	}
	mailDir := filepath.Join(dir, "mail")
	if err := os.MkdirAll(mailDir, 0o755); err != nil {
		t.Fatal(err)
	}
	users, mailUID, mailGID, err := accounts(mailDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o711); err != nil { // the mail user must reach mail/
		t.Fatal(err)
	}
	passwd := fmt.Sprintf("%s:{PLAIN}%s\n", s.Username, s.Password)
	if err := os.WriteFile(filepath.Join(dir, "passwd"), []byte(passwd), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf(config, dir, users, mailUID, mailGID, s.Port, s.TLSPort, filepath.Base(dir))
	if os.Geteuid() != 0 { // chroot needs root
		conf += "service imap-login {\n  chroot =\n}\nservice anvil {\n  chroot =\n}\n"
	}
	confPath := filepath.Join(dir, "dovecot.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-F", "-c", confPath)
	out, err := os.Create(filepath.Join(dir, "stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dovecot: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("dovecot log:\n%s", s.Logs())
		}
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		out.Close()
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := imapclient.DialInsecure(net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), nil)
		if err == nil {
			err = c.WaitGreeting()
			c.Close()
			if err == nil {
				return s
			}
		}
		select {
		case <-exited:
			t.Fatalf("dovecot exited at start:\n%s", s.Logs())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("dovecot did not answer: %v\n%s", err, s.Logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// config is Dovecot 2.3 syntax: dir, the three service users, mail uid/gid,
// IMAP port, IMAPS port, instance name.
const config = `instance_name = kizuna-test-%[7]s
base_dir = %[1]s/run
state_dir = %[1]s/state
protocols = imap
listen = 127.0.0.1
log_path = %[1]s/dovecot.log
ssl = yes
ssl_cert = <%[1]s/cert.pem
ssl_key = <%[1]s/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
# A test logging in with a wrong password must not slow down the others.
auth_failure_delay = 0
login_trusted_networks = 127.0.0.0/8
%[2]s
mail_location = maildir:%[1]s/mail/%%n
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = static
  args = uid=%[3]d gid=%[4]d home=%[1]s/mail/%%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[5]d
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %[6]d
  }
}
`

// accounts picks the users Dovecot's processes run as. As root, logins run
// as Debian's unprivileged dovenull and mail is owned by the dovecot user
// (Dovecot refuses UID 0 for mail); otherwise everything runs as us.
func accounts(mailDir string) (users string, uid, gid int, err error) {
	if os.Geteuid() != 0 {
		me, err := user.Current()
		if err != nil {
			return "", 0, 0, err
		}
		uid, gid = os.Geteuid(), os.Getegid()
		g, err := user.LookupGroupId(strconv.Itoa(gid))
		if err != nil {
			return "", 0, 0, err
		}
		return fmt.Sprintf("default_internal_user = %[1]s\ndefault_internal_group = %[2]s\ndefault_login_user = %[1]s\nfirst_valid_uid = %[3]d\nfirst_valid_gid = %[4]d\n",
			me.Username, g.Name, uid, gid), uid, gid, nil
	}
	login := "dovenull"
	if _, err := user.Lookup(login); err != nil {
		login = "nobody"
	}
	mailUser := "dovecot"
	u, err := user.Lookup(mailUser)
	if err != nil {
		if u, err = user.Lookup("nobody"); err != nil {
			return "", 0, 0, err
		}
		mailUser = "nobody"
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	if err := os.Chown(mailDir, uid, gid); err != nil {
		return "", 0, 0, err
	}
	return fmt.Sprintf("default_internal_user = root\ndefault_internal_group = root\ndefault_login_user = %s\nfirst_valid_uid = %d\n", login, min(uid, 100)), uid, gid, nil
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// writeCert makes a self-signed certificate for 127.0.0.1 and localhost.
func writeCert(dir string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
}

// Logs returns Dovecot's log, for failure messages.
func (s *Server) Logs() string {
	a, _ := os.ReadFile(filepath.Join(s.dir, "stderr.log"))
	b, _ := os.ReadFile(filepath.Join(s.dir, "dovecot.log"))
	return string(a) + string(b)
}

// Addr is the IMAP (STARTTLS-capable) address.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Client is a logged-in test client (plain IMAP on loopback), closed when
// the test ends: what the tests use to APPEND mail and look at flags.
func (s *Server) Client(t testing.TB) *Client {
	t.Helper()
	dbg := &tail{}
	c, err := imapclient.DialInsecure(s.Addr(), &imapclient.Options{DebugWriter: dbg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("imap trace (test client):\n%s", dbg)
		}
		c.Close()
	})
	if err := c.Login(s.Username, s.Password).Wait(); err != nil {
		t.Fatalf("login: %v\n%s", err, s.Logs())
	}
	return &Client{t: t, c: c}
}

// Client wraps an IMAP connection with fatal-on-error helpers.
type Client struct {
	t testing.TB
	c *imapclient.Client
}

// IMAP returns the underlying client.
func (c *Client) IMAP() *imapclient.Client { return c.c }

// Append adds a raw message to mailbox and returns its UID.
func (c *Client) Append(mailbox string, raw []byte) imap.UID {
	c.t.Helper()
	cmd := c.c.Append(mailbox, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		c.t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		c.t.Fatal(err)
	}
	data, err := cmd.Wait()
	if err != nil {
		c.t.Fatalf("append to %s: %v", mailbox, err)
	}
	return data.UID
}

// Create makes a mailbox; Delete removes one.
func (c *Client) Create(mailbox string) {
	c.t.Helper()
	if err := c.c.Create(mailbox, nil).Wait(); err != nil {
		c.t.Fatalf("create %s: %v", mailbox, err)
	}
}

func (c *Client) Delete(mailbox string) {
	c.t.Helper()
	// Dovecot drops a session whose selected mailbox is deleted.
	if _, err := c.c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		c.t.Fatal(err)
	}
	if err := c.c.Delete(mailbox).Wait(); err != nil {
		c.t.Fatalf("delete %s: %v", mailbox, err)
	}
}

// Flags returns the flags of the message with this Message-ID in mailbox
// (looked at read-only), and whether it is there at all.
func (c *Client) Flags(mailbox, messageID string) (flags []imap.Flag, found bool) {
	c.t.Helper()
	if _, err := c.c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		c.t.Fatalf("examine %s: %v", mailbox, err)
	}
	res, err := c.c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: "<" + messageID + ">"}}}, nil).Wait()
	if err != nil {
		c.t.Fatalf("search: %v", err)
	}
	uids := res.AllUIDs()
	if len(uids) == 0 {
		return nil, false
	}
	msgs, err := c.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{Flags: true}).Collect()
	if err != nil {
		c.t.Fatalf("fetch flags: %v", err)
	}
	for _, m := range msgs {
		flags = append(flags, m.Flags...)
	}
	return flags, true
}

// Seen reports whether the message with this Message-ID is flagged \Seen.
func (c *Client) Seen(mailbox, messageID string) bool {
	c.t.Helper()
	flags, _ := c.Flags(mailbox, messageID)
	for _, f := range flags {
		if strings.EqualFold(string(f), string(imap.FlagSeen)) {
			return true
		}
	}
	return false
}

// tail keeps the end of a client's IMAP trace for failure messages.
type tail struct {
	mu sync.Mutex
	b  []byte
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > 4000 {
		t.b = t.b[len(t.b)-4000:]
	}
	return len(p), nil
}
