package smtpd

import (
	"net"
	"sync"
)

// tracker knows every open connection and whether it is in the middle of
// DATA, so a shutdown can close the idle ones without cutting a message
// that is being stored (go-smtp's own Shutdown waits for idle clients).
// Connections are keyed by remote address, which is the same before and
// after STARTTLS.
type tracker struct {
	mu       sync.Mutex
	conns    map[string]*tracked
	shutting bool
}

// tracked closes the raw connection (c), never the wrapper, while the
// tracker's lock is held: the wrapper's Close takes that lock.
type tracked struct {
	c     net.Conn
	owner *trackedConn
	busy  bool
}

func (t *tracker) add(c *trackedConn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.conns == nil {
		t.conns = map[string]*tracked{}
	}
	t.conns[c.RemoteAddr().String()] = &tracked{c: c.Conn, owner: c}
	return !t.shutting
}

func (t *tracker) remove(c *trackedConn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tc := t.conns[c.RemoteAddr().String()]; tc != nil && tc.owner == c {
		delete(t.conns, c.RemoteAddr().String())
	}
}

func (t *tracker) setBusy(key string, busy bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tc := t.conns[key]; tc != nil {
		tc.busy = busy
		if !busy && t.shutting {
			tc.c.Close()
		}
	}
}

func (t *tracker) shutdown() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.shutting = true
	for _, tc := range t.conns {
		if !tc.busy {
			tc.c.Close()
		}
	}
}

func (t *tracker) closeAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, tc := range t.conns {
		tc.c.Close()
	}
}

type trackingListener struct {
	net.Listener
	t *tracker
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, t: l.t}
	if !l.t.add(tc) {
		tc.Close()
	}
	return tc, nil
}

type trackedConn struct {
	net.Conn
	t    *tracker
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() { c.t.remove(c) })
	return c.Conn.Close()
}
