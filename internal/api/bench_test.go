package api_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// Ticket creation through the API, as docs/benchmarks.md reports it: each
// ticket has one comment and a new requester. SQLite in a temporary
// directory, or PostgreSQL at KIZUNA_BENCH_DB ("postgres": a new schema on
// the test server, KIZUNA_TEST_POSTGRES). Compare with kzload against
// a real server (cmd/kzload), which also counts the client's HTTP work.
//
//	go test -run XXX -bench CreateTicket ./internal/api/

func BenchmarkCreateTicket(b *testing.B) {
	b.Run("16clients", func(b *testing.B) { benchCreate(b, 8) }) // 8 per CPU on 2 CPUs
	b.Run("sequential", func(b *testing.B) { benchCreate(b, 0) })
}

func benchCreate(b *testing.B, perCPU int) {
	dbURL := os.Getenv("KIZUNA_BENCH_DB")
	if dbURL == "postgres" {
		dbURL = storetest.PostgresURL(b)
	}
	d := apptest.Start(b, dbURL)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var n atomic.Int64
	create := func() {
		i := n.Add(1)
		body := fmt.Sprintf(`{"ticket":{"subject":"配送状況を教えてください","comment":{"body":"%d月%d日に注文した商品（注文番号SM-%08d）がまだ届きません。確認をお願いします。"},"requester":{"name":"負荷 試験%d","email":"bench-%d@load.example.jp"}}}`,
			1+i%12, 1+i%28, i, i, i)
		req, err := http.NewRequest("POST", d.URL+"/api/v2/tickets.json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.SetBasicAuth(d.Admin.Email+"/token", d.Admin.Token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	if perCPU == 0 {
		for b.Loop() {
			create()
		}
	} else {
		b.SetParallelism(perCPU)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				create()
			}
		})
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
	if groups, writes := d.App.Store.GroupCommitStats(); groups > 0 {
		b.ReportMetric(float64(writes)/float64(groups), "writes/commit")
	}
}
