package mail

import (
	"context"
	"testing"
	"time"
)

// At most LargeAtOnce large mails are processed at once: the next waits for
// a turn, and gives up when its context ends.
func TestAdmitLarge(t *testing.T) {
	p := &Processor{}
	ctx := context.Background()
	var releases []func()
	for range LargeAtOnce {
		r, err := p.admitLarge(ctx)
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, r)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := p.admitLarge(short); err == nil {
		t.Fatal("a third large mail was admitted while two were processed")
	}
	got := make(chan struct{})
	go func() {
		r, err := p.admitLarge(ctx)
		if err == nil {
			r()
		}
		close(got)
	}()
	releases[0]()
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("a released turn was not handed on")
	}
	releases[1]()
}
