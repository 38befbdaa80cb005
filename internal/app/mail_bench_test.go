package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/smtp"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/smtpd"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// BenchmarkSMTPIngest measures mail end to end: SMTP session, durable
// spool (blob + row), parse, thread, ticket write with search index, and the
// auto-acknowledgement decision — from the first byte sent until every
// message is on a ticket. Each b.N is one message; 8 clients send at once
// (KIZUNA_BENCH_CLIENTS sets another number). KIZUNA_BENCH_LARGE_MB=30 sends
// one mail of that size along with them; peak-heap-MiB and rss-hwm-MiB then
// show whether memory stays flat (compare -benchtime 2000x with 10000x).
//
//	go test -run XXX -bench SMTPIngest -benchtime 2000x ./internal/app/
//
// KIZUNA_BENCH_DB=postgres://… runs it on PostgreSQL.
func BenchmarkSMTPIngest(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := app.Open(ctx, app.Config{DataDir: b.TempDir(), Database: os.Getenv("KIZUNA_BENCH_DB"), Mail: app.MailConfig{
		SMTP: smtpd.Config{Addr: "127.0.0.1:0", MaxMessageBytes: 40 << 20}, UndoSend: -1}}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	if _, _, err := a.Bootstrap(ctx, "admin@example.jp", "pw"); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	err = a.Store.Write(ctx, func(tx *store.Tx) error {
		return tx.InsertInbox(&model.Inbox{Name: "サポート", Addresses: []string{"support@example.jp"}, TicketToken: "subject", AutoAck: true,
			Active: true, CreatedAt: now, UpdatedAt: now})
	})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); a.Run(ctx) }()
	defer func() { cancel(); <-done }()
	var addr string
	for addr == "" {
		addr = a.SMTPAddr()
		time.Sleep(10 * time.Millisecond)
	}
	body := strings.Repeat("いつもお世話になっております。注文番号 12345 の配送状況を教えてください。\r\n", 20)
	msg := func(i int) []byte {
		return []byte(fmt.Sprintf("From: =?UTF-8?B?5L2Q6JekIOiKseWtkA==?= <c%d@customer.co.jp>\r\nTo: support@example.jp\r\n"+
			"Subject: =?UTF-8?B?6YWN6YCB54q25rOB44Gr44Gk44GE44Gm?= %d\r\nMessage-ID: <bench.%d.%d@customer.co.jp>\r\n"+
			"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s", i%500, i, now.UnixNano(), i, body))
	}
	var ms runtime.MemStats
	b.ResetTimer()
	jobs := make(chan int)
	var wg sync.WaitGroup
	want := int64(b.N)
	if mb, _ := strconv.Atoi(os.Getenv("KIZUNA_BENCH_LARGE_MB")); mb > 0 {
		// One large mail arrives together with the small ones.
		want++
		large := largeMail(mb, now)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := smtp.SendMail(addr, nil, "big@customer.co.jp", []string{"support@example.jp"}, large); err != nil {
				b.Error(err)
			}
		}()
	}
	var peakHeap atomic.Uint64
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // Go heap in use, sampled while the mail flows
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peakHeap.Load() {
				peakHeap.Store(m.HeapInuse)
			}
			select {
			case <-stopSampling:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	clients := 8
	if n, err := strconv.Atoi(os.Getenv("KIZUNA_BENCH_CLIENTS")); err == nil && n > 0 {
		clients = n
	}
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if err := smtp.SendMail(addr, nil, "c@customer.co.jp", []string{"support@example.jp"}, msg(i)); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	for i := range b.N {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for {
		var n int64
		a.Store.Read(ctx, func(tx *store.Tx) error {
			var err error
			n, err = tx.CountTickets(store.TicketFilter{})
			return err
		})
		if n >= want {
			break
		}
		time.Sleep(50 * time.Millisecond) // counting is not free: poll gently
	}
	b.StopTimer()
	close(stopSampling)
	<-sampled
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
	b.ReportMetric(float64(peakHeap.Load())/(1<<20), "peak-heap-MiB")
	if hwm := vmHWM(); hwm > 0 {
		b.ReportMetric(float64(hwm)/(1<<20), "rss-hwm-MiB")
	}
}

// largeMail is a Japanese mail of about mb megabytes: a base64 PDF-like
// attachment under a short text.
func largeMail(mb int, now time.Time) []byte {
	var sb strings.Builder
	fmt.Fprintf(&sb, "From: =?UTF-8?B?5aSn5a2m?= <big@customer.co.jp>\r\nTo: support@example.jp\r\nSubject: =?UTF-8?B?5aSn44GN44Gq5re75LuY?=\r\n"+
		"Message-ID: <large.%d@customer.co.jp>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"+
		"--b\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n図面を添付します。\r\n--b\r\n"+
		"Content-Type: application/pdf; name=\"zumen.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", now.UnixNano())
	line := strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldY", 3)[:76] + "\r\n"
	for sb.Len() < mb<<20 {
		sb.WriteString(line)
	}
	sb.WriteString("--b--\r\n")
	return []byte(sb.String())
}

// vmHWM is this process's peak resident set size (Linux), or 0.
func vmHWM() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
