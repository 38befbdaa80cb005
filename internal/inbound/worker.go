package inbound

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Processor turns one stored mail into ticket work (internal/mail). It is
// called for a mail in state received and should move it on (processed,
// ignored, failed); an error means "try again later".
type Processor interface {
	Process(ctx context.Context, mailID int64) error
}

// Worker runs the Processor for every received mail: at once when the
// spool reports one, and by polling for mail left over from before a
// restart, mail another node stored, and retries that have come due.
type Worker struct {
	Store     store.Store
	Processor Processor
	Log       *slog.Logger
	Now       func() time.Time

	Concurrency int // mails processed at once; default 16 (the processor admits few large ones)
	MaxAttempts int // then the mail is marked failed; default 8
	// Lease is how long a claim holds unless renewed; the node working on
	// a mail renews it every Lease/3, so a node that died (kill -9, power
	// loss) holds its mails for at most Lease. Default 1m.
	Lease        time.Duration
	Timeout      time.Duration // per attempt; default 5m
	PollInterval time.Duration // default 15s
	// Backoff gives the wait after failed attempt n (1, 2, …); default
	// 30s·2^(n-1), at most 1h.
	Backoff func(attempt int) time.Duration

	once    sync.Once
	wake    chan int64    // ids stored just now
	rescan  chan struct{} // "look in the database"
	mu      sync.Mutex
	pending map[int64]bool // queued or running here, so an id is not run twice at once
}

func (w *Worker) init() {
	w.once.Do(func() {
		w.wake = make(chan int64, 4096)
		w.rescan = make(chan struct{}, 1)
		w.pending = map[int64]bool{}
		if w.Concurrency <= 0 {
			// Processing waits mostly on the database's single writer, so
			// more mails in flight make larger commit groups; measured
			// ~25 % more mail per second than 4 on two cores.
			w.Concurrency = 16
		}
		if w.MaxAttempts <= 0 {
			w.MaxAttempts = 8
		}
		if w.Lease <= 0 {
			w.Lease = time.Minute
		}
		if w.Timeout <= 0 {
			w.Timeout = 5 * time.Minute
		}
		if w.PollInterval <= 0 {
			w.PollInterval = 15 * time.Second
		}
		if w.Backoff == nil {
			w.Backoff = func(n int) time.Duration {
				d := 30 * time.Second << min(n-1, 7)
				return min(d, time.Hour)
			}
		}
		if w.Log == nil {
			w.Log = slog.New(slog.DiscardHandler)
		}
	})
}

// Notify tells the worker a mail was just stored. It never blocks: when the
// queue is full the next database scan finds the mail.
func (w *Worker) Notify(mailID int64) {
	w.init()
	select {
	case w.wake <- mailID:
	default:
		w.poke()
	}
}

func (w *Worker) poke() {
	select {
	case w.rescan <- struct{}{}:
	default:
	}
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// Run processes mail until ctx is cancelled, then waits for the attempts in
// progress to finish.
func (w *Worker) Run(ctx context.Context) error {
	w.init()
	jobs := make(chan int64)
	var wg sync.WaitGroup
	for range w.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range jobs {
				w.attempt(ctx, id)
				w.mu.Lock()
				delete(w.pending, id)
				w.mu.Unlock()
			}
		}()
	}
	defer wg.Wait()
	defer close(jobs)

	// The queue of ids waiting for a free goroutine lives here, so that
	// neither Notify nor the scan ever waits for a slow mail.
	var queue []int64
	enqueue := func(id int64) {
		w.mu.Lock()
		defer w.mu.Unlock()
		if !w.pending[id] {
			w.pending[id] = true
			queue = append(queue, id)
		}
	}
	scan := func() {
		due, err := w.due(ctx)
		if err != nil {
			if ctx.Err() == nil {
				w.Log.Error("inbound: listing received mail failed", "err", err)
			}
			return
		}
		for _, id := range due {
			enqueue(id)
		}
	}
	scan() // crash recovery: mail left received before a restart
	ticker := time.NewTicker(w.PollInterval)
	defer ticker.Stop()
	for {
		var out chan int64
		var next int64
		if len(queue) > 0 {
			out, next = jobs, queue[0]
		}
		select {
		case <-ctx.Done():
			return nil
		case id := <-w.wake:
			enqueue(id)
		case <-w.rescan:
			scan()
		case <-ticker.C:
			scan()
		case out <- next:
			queue = queue[1:]
		}
	}
}

// due lists received mail that is due, in batches (a long backlog is read
// again on the next scan as the queue drains).
func (w *Worker) due(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := w.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		ids, err = tx.DueInboundMail(w.now().UnixMilli(), 500)
		return err
	})
	return ids, err
}

// attempt claims one mail and runs the processor on it, recording a retry
// or the final failure. The raw mail is never touched.
func (w *Worker) attempt(ctx context.Context, id int64) {
	if ctx.Err() != nil {
		return
	}
	now := w.now()
	var claimed bool
	var mail *model.MailMessage
	err := w.Store.Write(ctx, func(tx *store.Tx) error {
		var err error
		if claimed, err = tx.ClaimInboundMail(id, now.UnixMilli(), now.Add(w.Lease).UnixMilli()); err != nil || !claimed {
			return err
		}
		mail, err = tx.MailMessage(id)
		return err
	})
	if err != nil {
		if ctx.Err() == nil {
			w.Log.Error("inbound: claiming mail failed", "mail_id", id, "err", err)
		}
		return
	}
	if !claimed {
		return // another goroutine or node has it, or it is done or not yet due
	}
	actx, cancel := context.WithTimeout(ctx, w.Timeout)
	stopRenewing := w.renewClaim(actx, id)
	perr := w.process(actx, id)
	stopRenewing()
	cancel()
	if perr != nil && ctx.Err() != nil {
		return // shutting down: the lease expires and the mail is tried again
	}
	now = w.now()
	state, msg, retryAt := model.MailProcessed, "", int64(0)
	if perr != nil {
		msg = clean(perr.Error(), 2000)
		if mail.Attempts >= w.MaxAttempts {
			state = model.MailFailed
			w.Log.Error("inbound: mail failed for good", "mail_id", id, "attempts", mail.Attempts, "err", perr)
		} else {
			state, retryAt = model.MailReceived, now.Add(w.Backoff(mail.Attempts)).UnixMilli()
			w.Log.Warn("inbound: processing failed, will retry", "mail_id", id, "attempt", mail.Attempts, "err", perr)
			time.AfterFunc(time.Until(time.UnixMilli(retryAt))+10*time.Millisecond, w.poke)
		}
	}
	// On success the processor has normally moved the mail on already; this
	// only settles one it left received, so it is not processed again.
	err = w.Store.Write(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		return tx.SettleInboundMail(id, state, msg, retryAt, now.UnixMilli())
	})
	if err != nil {
		w.Log.Error("inbound: recording the outcome failed", "mail_id", id, "err", err)
	}
}

// renewClaim keeps extending the claim on id while it is being processed,
// so that a short lease (quick recovery after a crash) still covers a long
// attempt (a 30 MB mail). The returned func stops it.
func (w *Worker) renewClaim(ctx context.Context, id int64) (stop func()) {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(w.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				until := w.now().Add(w.Lease).UnixMilli()
				err := w.Store.Write(ctx, func(tx *store.Tx) error { return tx.ExtendInboundClaim(id, until) })
				if err != nil && ctx.Err() == nil {
					w.Log.Warn("inbound: renewing a claim failed", "mail_id", id, "err", err)
				}
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// process runs the processor, turning a panic on one broken mail into an
// error for that mail only.
func (w *Worker) process(ctx context.Context, id int64) (err error) {
	defer func() {
		if v := recover(); v != nil {
			w.Log.Error("inbound: processor panicked", "mail_id", id, "panic", v, "stack", string(debug.Stack()))
			err = fmt.Errorf("processor panicked: %v", v)
		}
	}()
	return w.Processor.Process(ctx, id)
}
