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
// (KIZUNA_BENCH_CLIENTS sets another number).
//
//	go test -run XXX -bench SMTPIngest -benchtime 2000x ./internal/app/
//
// KIZUNA_BENCH_DB=postgres://… runs it on PostgreSQL.
func BenchmarkSMTPIngest(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := app.Open(ctx, app.Config{DataDir: b.TempDir(), Database: os.Getenv("KIZUNA_BENCH_DB"), Mail: app.MailConfig{
		SMTP: smtpd.Config{Addr: "127.0.0.1:0"}, UndoSend: -1}}, slog.New(slog.NewTextHandler(io.Discard, nil)))
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
		if n >= int64(b.N) {
			break
		}
		time.Sleep(50 * time.Millisecond) // counting is not free: poll gently
	}
	b.StopTimer()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
}
