package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestBrowserAdminInbox drives real Chromium through the settings: the
// admin opens 設定 from the top bar, adds an inbox with a Japanese name and
// an address, finds it in the list, tests the SMTP connection against our
// own listener and sees success, then saves an invalid entry and reads the
// Japanese validation message.
func TestBrowserAdminInbox(t *testing.T) {
	root := headless(t)
	t.Run("sqlite", func(t *testing.T) { browserAdminInbox(t, root, apptest.Start(t, "")) })
	t.Run("postgres", func(t *testing.T) { browserAdminInbox(t, root, apptest.Start(t, storetest.PostgresURL(t))) })
}

// waitFor runs actions that load a new page and waits for sel on it.
func (tb *tab) waitFor(t testing.TB, what, sel string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tb.nextPage(t, what, sel, 20*time.Second, actions...)
}

func browserAdminInbox(t *testing.T, root context.Context, d *apptest.Desk) {
	host, port := startSMTP(t, d)
	admin := newTab(t, root, "ja")
	admin.login(t, d.URL, d.Admin.Email, "管理者のパスワード")

	admin.waitFor(t, "open settings from the top bar", "#settings-title", chromedp.Click(chromedp.CSS(`header nav a[href="/settings"]`)))
	admin.waitFor(t, "open inboxes", "#new-inbox", chromedp.Click(chromedp.CSS(`a[href="/settings/inboxes"]`)))
	admin.waitFor(t, "new inbox form", "#inbox-form", chromedp.Click(chromedp.CSS(`#new-inbox`)))
	admin.waitFor(t, "save the inbox", "#saved",
		chromedp.SendKeys(chromedp.CSS("#name"), "サポート窓口"),
		chromedp.SendKeys(chromedp.CSS("#addresses"), "support@example.jp"),
		chromedp.Click(chromedp.CSS("#save")))
	if h := admin.text(t, "#inbox-title"); h != "サポート窓口" {
		t.Fatalf("title after save %q", h)
	}
	// Listed.
	admin.waitFor(t, "back to the list", "#inbox-list", chromedp.Click(chromedp.CSS(`.crumb a[href="/settings/inboxes"]`)))
	admin.waitText(t, "#inbox-list", "サポート窓口", 5*time.Second)
	admin.waitText(t, "#inbox-list", "support@example.jp", time.Second)

	// Test the SMTP connection against Kizuna's own listener.
	admin.waitFor(t, "edit it", "#inbox-form", chromedp.Click(chromedp.CSS(`#inbox-list a[href^="/settings/inboxes/"]`)))
	admin.waitFor(t, "test SMTP", "#probe-result",
		chromedp.SendKeys(chromedp.CSS("#out_host"), host),
		chromedp.SendKeys(chromedp.CSS("#out_port"), port),
		chromedp.Click(chromedp.CSS("#test-smtp")))
	admin.waitText(t, "#probe-result", "成功しました", 5*time.Second)
	admin.waitText(t, "#probe-result", host+":"+port, time.Second)
	// The typed settings are still in the form.
	if v := admin.value(t, "#out_host"); v != host {
		t.Fatalf("host after the test %q", v)
	}

	// An invalid entry: the Japanese message, nothing saved.
	admin.waitFor(t, "save an invalid address", "#form-errors",
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#name").value = ""; document.querySelector("#addresses").value = ""`),
		chromedp.SendKeys(chromedp.CSS("#addresses"), "サポート＠example"),
		chromedp.Click(chromedp.CSS("#save")))
	admin.waitText(t, "#form-errors", "名前を入力してください", 5*time.Second)
	admin.waitText(t, "#form-errors", "メールアドレスの形式が正しくありません", time.Second)
	if ib := inboxByName(t, d, "サポート窓口"); ib == nil || ib.Addresses[0] != "support@example.jp" {
		t.Fatalf("the invalid entry changed the inbox: %+v", ib)
	}
}
