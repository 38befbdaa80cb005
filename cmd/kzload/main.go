// Command kzload drives a running Kizuna server over HTTP and reports
// throughput and latency percentiles, for the figures in docs/benchmarks.md.
//
//	kzload create --url http://127.0.0.1:8080 --email E --token T --clients 16 --duration 20s
//	kzload list   --url … --email E --token T --clients 4 --duration 20s [--assignee ID --group ID]
//	kzload search --url … --email E --token T --clients 4 --duration 20s [--queries 配送,返金,refund]
//
// create posts a ticket with one comment and a new requester each time;
// list asks for 50 open tickets of one assignee and group, newest update
// first (the shape of an agent's view); search runs /api/v2/search queries.
// With --pid, the server's resident memory (VmRSS, VmHWM from
// /proc/PID/status) is sampled during the run.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type config struct {
	url, email, token string
	clients           int
	duration, warmup  time.Duration
	sequential        bool
	pid               int
	assignee, group   string
	pairs             int
	queries           []string
	perPage           int
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "kzload:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: kzload create|list|search --url URL --email E --token T [--clients N] [--duration D]")
	}
	mode := args[0]
	fs := flag.NewFlagSet(mode, flag.ContinueOnError)
	var c config
	var queries string
	fs.StringVar(&c.url, "url", "http://127.0.0.1:8080", "server base URL")
	fs.StringVar(&c.email, "email", "", "agent or admin email")
	fs.StringVar(&c.token, "token", "", "API token (kizuna token create --email E)")
	fs.IntVar(&c.clients, "clients", 16, "concurrent clients, each waiting for its answer before the next request")
	fs.DurationVar(&c.duration, "duration", 20*time.Second, "how long to measure")
	fs.DurationVar(&c.warmup, "warmup", 2*time.Second, "run this long before measuring")
	fs.IntVar(&c.pid, "pid", 0, "server process id, to sample its resident memory")
	fs.StringVar(&c.assignee, "assignee", "", "list: assignee id (default: pairs found on the server)")
	fs.StringVar(&c.group, "group", "", "list: group id")
	fs.IntVar(&c.pairs, "pairs", 20, "list: how many assignee/group pairs with open tickets to rotate through")
	fs.StringVar(&queries, "queries", "配送,返金,ログイン,請求書,解約,サーバー,ドメイン,パスワード,refund,invoice,password,delivery", "search: comma-separated queries")
	fs.IntVar(&c.perPage, "per-page", 25, "search: results per page")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if c.email == "" || c.token == "" {
		return errors.New("--email and --token are required")
	}
	c.url = strings.TrimRight(c.url, "/")
	c.queries = strings.Split(queries, ",")
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: c.clients * 2, MaxConnsPerHost: c.clients * 2}}
	l := &loader{c: c, client: client, runID: time.Now().UnixNano()}
	var next func(ctx context.Context, worker, i int) (*http.Request, error)
	switch mode {
	case "create":
		next = l.createRequest
	case "list":
		if err := l.findPairs(); err != nil {
			return err
		}
		next = l.listRequest
	case "search":
		next = l.searchRequest
	default:
		return fmt.Errorf("unknown mode %q: create, list or search", mode)
	}
	res := l.drive(next)
	res.print(out, mode, c)
	return nil
}

type loader struct {
	c      config
	client *http.Client
	runID  int64
	pairs  [][2]string
}

func (l *loader) newRequest(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, l.c.url+path, body)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(l.c.email+"/token", l.c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

var (
	subjects = []string{"配送状況を教えてください", "返金の手続きについて", "ログインできません", "請求書の再発行をお願いします", "Where is my order?",
		"解約したいです", "SSL証明書の更新に失敗しました", "ポイントが付与されていません", "Cannot reset my password", "出品審査について"}
	bodies = []string{"{date}に注文した商品がまだ届いていません。注文番号はSM-{n}です。確認をお願いします。",
		"管理画面にログインしようとするとエラー{n}が表示されます。至急対応をお願いいたします。",
		"I was charged twice for order {n}. Please refund the second payment.",
		"㈱キズナ商事の髙橋です。請求書（INV-{n}）の宛名を変更して再発行していただけますか。"}
)

func (l *loader) createRequest(ctx context.Context, worker, i int) (*http.Request, error) {
	n := fmt.Sprintf("%d-%d-%d", l.runID%1_000_000, worker, i)
	body := strings.NewReplacer("{n}", n, "{date}", time.Now().Format("1月2日")).Replace(bodies[i%len(bodies)])
	payload := map[string]any{"ticket": map[string]any{
		"subject":   subjects[(worker+i)%len(subjects)],
		"comment":   map[string]any{"body": body},
		"requester": map[string]any{"name": "負荷試験 " + n, "email": "kzload-" + n + "@load.example.jp"},
		"priority":  "normal",
		"tags":      []string{"kzload"},
	}}
	b, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	return l.newRequest(ctx, "POST", "/api/v2/tickets.json", strings.NewReader(string(b)))
}

// findPairs picks assignee/group pairs that have open tickets, as an
// agent's "my open tickets in my group" view would.
func (l *loader) findPairs() error {
	if l.c.assignee != "" {
		l.pairs = [][2]string{{l.c.assignee, l.c.group}}
		return nil
	}
	req, err := l.newRequest(context.Background(), "GET", "/api/v2/tickets.json?status=open&sort_by=updated_at&sort_order=desc&page[size]=100", nil)
	if err != nil {
		return err
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var body struct {
		Tickets []struct {
			AssigneeID *int64 `json:"assignee_id"`
			GroupID    *int64 `json:"group_id"`
		} `json:"tickets"`
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("finding open tickets: HTTP %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return err
	}
	seen := map[[2]string]bool{}
	for _, t := range body.Tickets {
		if t.AssigneeID == nil || t.GroupID == nil {
			continue
		}
		p := [2]string{fmt.Sprint(*t.AssigneeID), fmt.Sprint(*t.GroupID)}
		if !seen[p] && len(l.pairs) < l.c.pairs {
			seen[p] = true
			l.pairs = append(l.pairs, p)
		}
	}
	if len(l.pairs) == 0 {
		return errors.New("no open, assigned tickets on the server: seed it first (kizuna seed --tickets N)")
	}
	return nil
}

func (l *loader) listRequest(ctx context.Context, worker, i int) (*http.Request, error) {
	p := l.pairs[(worker+i)%len(l.pairs)]
	q := "status=open&assignee_id=" + p[0] + "&sort_by=updated_at&sort_order=desc&page[size]=50"
	if p[1] != "" {
		q += "&group_id=" + p[1]
	}
	return l.newRequest(ctx, "GET", "/api/v2/tickets.json?"+q, nil)
}

func (l *loader) searchRequest(ctx context.Context, worker, i int) (*http.Request, error) {
	q := l.c.queries[(worker+i)%len(l.c.queries)]
	v := url.Values{"query": {"type:ticket " + q}, "per_page": {fmt.Sprint(l.c.perPage)}}
	return l.newRequest(ctx, "GET", "/api/v2/search.json?"+v.Encode(), nil)
}

// result collects what the clients saw during the measured window.
type result struct {
	latencies []time.Duration
	statuses  map[int]int
	errors    int
	firstErr  string
	elapsed   time.Duration
	rss       memSample
}

// drive runs the clients: a warm-up, then the measured window.
func (l *loader) drive(next func(ctx context.Context, worker, i int) (*http.Request, error)) *result {
	ctx, cancel := context.WithTimeout(context.Background(), l.c.warmup+l.c.duration)
	defer cancel()
	var measuring atomic.Bool
	var mu sync.Mutex
	res := &result{statuses: map[int]int{}}
	var wg sync.WaitGroup
	start := time.Now()
	measureFrom := start.Add(l.c.warmup)
	mem := startMemSampler(l.c.pid)
	go func() {
		time.Sleep(l.c.warmup)
		measuring.Store(true)
		mem.reset()
	}()
	for w := range l.c.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			statuses := map[int]int{}
			errs, firstErr := 0, ""
			for i := 0; ctx.Err() == nil; i++ {
				req, err := next(ctx, w, i)
				if err != nil {
					errs++
					firstErr = err.Error()
					continue
				}
				t0 := time.Now()
				resp, err := l.client.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				d := time.Since(t0)
				if ctx.Err() != nil || !measuring.Load() {
					continue // cut off at the end, or still warming up
				}
				if err != nil {
					errs++
					firstErr = err.Error()
					continue
				}
				statuses[resp.StatusCode]++
				lat = append(lat, d)
			}
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			for k, v := range statuses {
				res.statuses[k] += v
			}
			res.errors += errs
			if firstErr != "" {
				res.firstErr = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(measureFrom)
	res.rss = mem.stop()
	return res
}

func (r *result) print(out io.Writer, mode string, c config) {
	slices.Sort(r.latencies)
	n := len(r.latencies)
	pct := func(p float64) time.Duration {
		if n == 0 {
			return 0
		}
		return r.latencies[min(n-1, int(p*float64(n)))]
	}
	ok := 0
	for code, k := range r.statuses {
		if code < 300 {
			ok += k
		}
	}
	fmt.Fprintf(out, "%s: %d clients, %s measured (after %s warm-up)\n", mode, c.clients, r.elapsed.Round(time.Millisecond), c.warmup)
	fmt.Fprintf(out, "  requests   %d (%d ok), %.0f/s ok\n", n, ok, float64(ok)/r.elapsed.Seconds())
	fmt.Fprintf(out, "  statuses   %v", r.statuses)
	if r.errors > 0 {
		fmt.Fprintf(out, ", %d transport errors (last: %s)", r.errors, r.firstErr)
	}
	fmt.Fprintln(out)
	fmt.Fprintf(out, "  latency    p50 %s  p90 %s  p95 %s  p99 %s  max %s\n", ms(pct(0.50)), ms(pct(0.90)), ms(pct(0.95)), ms(pct(0.99)), ms(pct(1)))
	if c.pid != 0 {
		fmt.Fprintf(out, "  server RSS start %.1f MB, max during run %.1f MB, end %.1f MB; VmHWM %.1f MB\n",
			mb(r.rss.start), mb(r.rss.max), mb(r.rss.end), mb(r.rss.hwm))
		if n > 0 {
			fmt.Fprintf(out, "  server CPU %.1fs in the window (%.0f%% of one core), %.0fµs per request\n",
				r.rss.cpu, 100*r.rss.cpu/r.elapsed.Seconds(), 1e6*r.rss.cpu/float64(n))
		}
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

func mb(kb int64) float64 { return float64(kb) / 1024 }
