// Command screenshots seeds a small demo desk in a temporary directory,
// serves it, drives headless Chromium through the main pages of the agent
// workspace and writes them to docs/screenshots/*.png.
//
//	go run ./cmd/screenshots            # from the repository root
//	go run ./cmd/screenshots -out /tmp/shots -chromium /usr/bin/chromium
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/approvals"
	"github.com/kizuna-desk/kizuna/internal/auth"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/web/webdemo"
)

func main() {
	out := flag.String("out", "docs/screenshots", "directory for the PNG files")
	chromium := flag.String("chromium", "", "browser binary (default: chromium on PATH)")
	flag.Parse()
	if err := run(*out, *chromium); err != nil {
		log.Fatal(err)
	}
}

func run(out, chromium string) error {
	auth.PasswordCost = bcrypt.MinCost // demo passwords only
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "kizuna-screenshots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	a, err := app.Open(ctx, app.Config{DataDir: dir}, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer a.Close()
	if _, _, err := a.Bootstrap(ctx, "admin@kizuna.example.jp", webdemo.Password); err != nil {
		return err
	}
	demo, err := webdemo.Seed(ctx, a)
	if err != nil {
		return err
	}
	if err := webdemo.Extras(ctx, a, demo); err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	defer srv.Close()
	base := "http://" + l.Addr().String()
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}

	opts := []chromedp.ExecAllocatorOption{
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(filepath.Join(dir, "chrome")), chromedp.WindowSize(1440, 900),
	}
	if chromium != "" {
		opts = append(opts, chromedp.ExecPath(chromium))
	}
	actx, cancelA := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	if err := chromedp.Do(bctx); err != nil {
		return fmt.Errorf("start chromium: %w", err)
	}

	shoot := func(tctx context.Context, name string) error {
		png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
		if err != nil {
			return err
		}
		fmt.Println("wrote", filepath.Join(out, name))
		return os.WriteFile(filepath.Join(out, name), png, 0o644)
	}
	tab := func(lang string) (context.Context, context.CancelFunc, error) {
		tctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
		if err := chromedp.Do(tctx); err != nil {
			cancel()
			return nil, nil, err
		}
		_, err := chromedp.Call(tctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}})
		return tctx, cancel, err
	}
	login := func(tctx context.Context, email string) error {
		return chromedp.Do(tctx,
			chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")),
			chromedp.SendKeys(chromedp.CSS("#email"), email), chromedp.SendKeys(chromedp.CSS("#password"), webdemo.Password),
			chromedp.Click(chromedp.CSS(`button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("#ticket-list")))
	}
	settle := chromedp.Sleep(300 * time.Millisecond)

	ja, cancel, err := tab("ja")
	if err != nil {
		return err
	}
	defer cancel()
	// A second agent (English UI) has the busy ticket open and is writing a
	// reply, so the ticket page shows who is on it.
	en, cancelEn, err := tab("en-US")
	if err != nil {
		return err
	}
	defer cancelEn()
	if err := login(en, demo.Agents[3].Email); err != nil {
		return err
	}
	// 田中 健, an admin, for the settings pages.
	adm, cancelAdm, err := tab("ja")
	if err != nil {
		return err
	}
	defer cancelAdm()
	if err := login(adm, demo.Agents[2].Email); err != nil {
		return err
	}
	inboxPage := func() (string, error) {
		var id int64
		err := a.Store.Read(ctx, func(tx *store.Tx) error {
			list, err := tx.Inboxes()
			if len(list) > 0 {
				id = list[0].ID
			}
			return err
		})
		return fmt.Sprintf("%s/settings/inboxes/%d", base, id), err
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"login-ja.png", func() error {
			return chromedp.Do(ja, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")), settle)
		}},
		{"queue-ja.png", func() error { return login(ja, demo.Agents[0].Email) }},
		{"ticket-ja.png", func() error {
			err := chromedp.Do(en, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", base, demo.Busy)), chromedp.WaitVisible(chromedp.CSS(`body[data-live="on"]`)),
				chromedp.SendKeys(chromedp.CSS("#body"), "Hello, "))
			if err != nil {
				return err
			}
			return chromedp.Do(ja, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", base, demo.Busy)), chromedp.WaitVisible(chromedp.CSS("#ticket-title")),
				chromedp.SendKeys(chromedp.CSS("#body"), "山本様\n\n配送業者より、明日午前中にお届けできると連絡がありました。"), settle)
		}},
		{"ticket-mail-ja.png", func() error {
			return chromedp.Do(ja, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", base, demo.MailTicket)), chromedp.WaitVisible(chromedp.CSS("#ticket-title")),
				chromedp.KeyEvent("n"), chromedp.SendKeys(chromedp.CSS("#body"), "見積書を添付して返信します。"),
				chromedp.Click(chromedp.CSS("#send")), chromedp.WaitVisible(chromedp.CSS("#attach-warning")), settle)
		}},
		{"search-ja.png", func() error {
			return chromedp.Do(ja, chromedp.Navigate(base+"/search?q="+url.QueryEscape("status<solved 配送")), chromedp.WaitVisible(chromedp.CSS("#search-q")), settle)
		}},
		{"shortcuts-ja.png", func() error {
			return chromedp.Do(ja, chromedp.Navigate(base+"/tickets"), chromedp.WaitVisible(chromedp.CSS("#ticket-list")),
				chromedp.KeyEvent("?"), chromedp.WaitVisible(chromedp.CSS("#shortcuts[open]")), settle)
		}},
		{"approval-ja.png", func() error {
			// 高橋 美咲 is a trainee: her reply waits for 鈴木 一郎's approval.
			trainee, ticket := demo.Agents[1], demo.Tickets[1]
			if err := a.RequireApproval(ctx, trainee.ID, true); err != nil {
				return err
			}
			trainee.ApprovalRequired = true
			if _, err := app.Lookup[*approvals.Service](a).Submit(ctx, trainee, ticket, approvals.Input{
				Body: "お問い合わせありがとうございます。\nご注文の商品は本日発送いたしました。明日午前中にお届けの予定です。"}); err != nil {
				return err
			}
			return chromedp.Do(ja, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", base, ticket)), chromedp.WaitVisible(chromedp.CSS("#approval-panel")),
				chromedp.SendKeys(chromedp.CSS("#approval-panel textarea[name=comment]"), "「本日発送いたしました」の前に、お待たせしたお詫びを一言入れましょう。"), settle)
		}},
		{"sessions-ja.png", func() error {
			return chromedp.Do(ja, chromedp.Navigate(base+"/settings/sessions"), chromedp.WaitVisible(chromedp.CSS("table.sessions")), settle)
		}},
		// Two rows ticked: the bulk bar counts them.
		{"queue-bulk-ja.png", func() error {
			return chromedp.Do(ja, chromedp.Navigate(base+"/tickets"), chromedp.WaitVisible(chromedp.CSS("#ticket-list")),
				chromedp.Click(chromedp.CSS("tr.row:nth-of-type(2) input.pick-row")), chromedp.Click(chromedp.CSS("tr.row:nth-of-type(3) input.pick-row")),
				chromedp.WaitVisible(chromedp.CSS("#bulk-count")), settle)
		}},
		{"ticket-tablet-ja.png", func() error {
			return chromedp.Do(ja, chromedp.EmulateViewport(768, 1024), chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", base, demo.Busy)),
				chromedp.WaitVisible(chromedp.CSS("#ticket-title")), settle)
		}},
		// A phone (390 px): the top bar wraps, the side panel goes below.
		{"ticket-phone-ja.png", func() error {
			return chromedp.Do(ja, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", base, demo.Busy)),
				chromedp.WaitVisible(chromedp.CSS("#ticket-title")), settle)
		}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		if err := shoot(ja, s.name); err != nil {
			return err
		}
	}
	// The settings, as an admin sees them (after the approval step, 高橋 美咲
	// is a trainee on the agents page).
	for _, s := range []struct{ name, path, ready string }{
		{"settings-ja.png", "/settings", "#settings-title"},
		{"inboxes-ja.png", "/settings/inboxes", "#inbox-list"},
		{"inbox-ja.png", "", "main h1"},
		{"agents-ja.png", "/settings/agents", "#agent-list"},
		{"triggers-ja.png", "/settings/triggers", "main h1"},
		{"trigger-new-ja.png", "/settings/triggers/new", "main h1"},
		{"slas-ja.png", "/settings/slas/new", "main h1"},
	} {
		u := base + s.path
		if s.path == "" {
			if u, err = inboxPage(); err != nil {
				return err
			}
		}
		if err := chromedp.Do(adm, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS(s.ready)), settle); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		if err := shoot(adm, s.name); err != nil {
			return err
		}
	}
	if err := chromedp.Do(en, chromedp.Navigate(base+"/tickets"), chromedp.WaitVisible(chromedp.CSS("#ticket-list")), settle); err != nil {
		return err
	}
	if err := shoot(en, "queue-en.png"); err != nil {
		return err
	}
	if err := chromedp.Do(en, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", base, demo.Tickets[3])), chromedp.WaitVisible(chromedp.CSS("#ticket-title")), settle); err != nil {
		return err
	}
	return shoot(en, "ticket-en.png")
}
