package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestBrowserTraineeDraftFiles: in real Chromium, a trainee's pending
// draft lists each of its files once; the "remove" boxes next to them are
// hidden while the revise form is folded and appear when it is opened;
// ticking one (the box sits in the list, outside the form, and belongs to
// it through form=…) and resubmitting takes exactly that file off.
func TestBrowserTraineeDraftFiles(t *testing.T) {
	root := headless(t)
	t.Run("sqlite", func(t *testing.T) { browserTraineeDraftFiles(t, root, apptest.Start(t, "")) })
	t.Run("postgres", func(t *testing.T) { browserTraineeDraftFiles(t, root, apptest.Start(t, storetest.PostgresURL(t))) })
}

func browserTraineeDraftFiles(t *testing.T, root context.Context, d *apptest.Desk) {
	trainee := addTrainee(t, d)
	id := newTicket(t, d, "見積と請求について", "見積書と請求書を送ってください。")
	path := fmt.Sprintf("/tickets/%d", id)

	// The draft with two files, submitted over HTTP as the composer does.
	hb := newBrowser(t, d, "ja")
	hb.login(trainee.Email, "password-agent", false)
	csrf := hb.do("GET", path, nil).csrf(t)
	r := hb.postFiles(path, map[string]string{"csrf": csrf, "mode": "approval", "body": "佐藤様\n見積書と請求書を添付いたします。"},
		map[string]string{"見積書.pdf": "%PDF-1.4 見積書", "請求書（11月分）.xlsx": "PK\x03\x04 請求書"})
	if r.status != http.StatusSeeOther {
		t.Fatalf("submit: %d\n%s", r.status, r.body)
	}

	tr := newTab(t, root, "ja")
	tr.login(t, d.URL, trainee.Email, "password-agent")
	tr.run(t, "open ticket", chromedp.Navigate(d.URL+path), chromedp.WaitVisible(chromedp.CSS(".draft .draft-files")))
	draftID, err := chromedp.Run(tr.ctx, chromedp.Evaluate[int](`Number(document.querySelector('.draft').dataset.draft)`))
	if err != nil || draftID == 0 {
		t.Fatalf("draft id: %d %v", draftID, err)
	}
	panel := tr.text(t, "#approval-panel")
	for _, name := range []string{"見積書.pdf", "請求書（11月分）.xlsx"} {
		if n := strings.Count(panel, name); n != 1 {
			t.Errorf("the panel shows %s %d times, want once:\n%s", name, n, panel)
		}
	}
	visible := func() int {
		n, err := chromedp.Run(tr.ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('.draft-files .revise-only')].filter((e) => e.offsetParent !== null).length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := visible(); n != 0 {
		t.Errorf("%d remove boxes show while the revise form is folded", n)
	}
	tr.run(t, "open revise", chromedp.Click(chromedp.CSS(fmt.Sprintf("#draft-revise-open-%d", draftID))),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#draft-revise-%d", draftID))))
	if n := visible(); n != 2 {
		t.Fatalf("%d remove boxes show with the revise form open, want 2", n)
	}
	tr.run(t, "remove the quote",
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`[...document.querySelectorAll('#draft-files-%d li')].find((li) => li.textContent.includes('見積書.pdf')).querySelector('input[name=remove]').click()`, draftID)))
	tr.submitPanel(t, "resubmit", chromedp.Click(chromedp.CSS(fmt.Sprintf("#draft-resubmit-%d", draftID))))
	tr.waitText(t, "#approval-done", "再依頼しました", 10*time.Second)
	tr.waitText(t, fmt.Sprintf("#draft-files-%d", draftID), "請求書（11月分）.xlsx", 10*time.Second)
	if txt := tr.text(t, "#approval-panel"); strings.Contains(txt, "見積書.pdf") {
		t.Errorf("the removed file is still on the draft:\n%s", txt)
	}
	dr := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/drafts/%d", draftID), nil)
	if dr.Len("draft.attachments") != 1 || dr.Str("draft.attachments.0.file_name") != "請求書（11月分）.xlsx" || dr.Str("draft.state") != "pending" {
		t.Fatalf("draft after resubmit: %s", dr.Raw)
	}
}
