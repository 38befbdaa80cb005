package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestBrowserApprovalRoundTrip drives real Chromium through approval
// before sending (承認): a trainee whose replies need approval writes a
// Japanese reply and requests approval; an approver in a second browser
// context finds it in /approvals (nav count), returns it with a comment;
// the trainee's open page shows the comment live, the trainee revises and
// resubmits; the approver's open page shows it pending again, the approver
// edits and sends on the trainee's behalf. The customer sees exactly one
// reply with the final text, and the trainee can never send directly.
func TestBrowserApprovalRoundTrip(t *testing.T) {
	root := headless(t)
	t.Run("sqlite", func(t *testing.T) { browserApprovalRoundTrip(t, root, apptest.Start(t, "")) })
	t.Run("postgres", func(t *testing.T) { browserApprovalRoundTrip(t, root, apptest.Start(t, storetest.PostgresURL(t))) })
}

// submitPanel runs actions that post an approval form and waits for the
// next page (its notice or its errors).
func (tb *tab) submitPanel(t testing.TB, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tb.nextPage(t, what, "#approval-done, #approval-errors, #form-errors", 15*time.Second, actions...)
}

func (tb *tab) count(t testing.TB, sel string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 15*time.Second)
	defer cancel()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func browserApprovalRoundTrip(t *testing.T, root context.Context, d *apptest.Desk) {
	trainee := addTrainee(t, d)
	id := newTicket(t, d, "返品について", "サイズが合わないので返品したいです。")
	page := fmt.Sprintf("%s/tickets/%d", d.URL, id)

	// The trainee: no public reply in the composer, a "request approval" button.
	tr := newTab(t, root, "ja")
	tr.login(t, d.URL, trainee.Email, "password-agent")
	tr.run(t, "open ticket", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#request-approval")))
	if n := tr.count(t, "#mode-public"); n != 0 {
		t.Fatalf("the trainee has a public-reply mode")
	}
	if tr.text(t, "#request-approval") != "承認を依頼" {
		t.Errorf("button: %q", tr.text(t, "#request-approval"))
	}
	// Even a hand-made public post is refused.
	status, err := chromedp.Run(tr.ctx, chromedp.Evaluate[int](fmt.Sprintf(`(async () => {
		const body = new FormData();
		body.set('csrf', document.querySelector('#ticket-form input[name=csrf]').value);
		body.set('mode', 'public');
		body.set('body', 'こっそり送信');
		const r = await fetch('/tickets/%d', { method: 'POST', body, credentials: 'same-origin' });
		return r.status;
	})()`, id), chromedp.EvalAwaitPromise))
	if err != nil || status != 422 {
		t.Fatalf("direct public post: %d %v", status, err)
	}

	// The composer opens in reply mode (承認を依頼); the trainee attaches two
	// files (a real FileList through DataTransfer) and presses Ctrl+Enter.
	if on, err := chromedp.Run(tr.ctx, chromedp.Evaluate[bool](`document.getElementById('mode-approval').checked`)); err != nil || !on {
		t.Fatalf("reply mode is not the default: %v", err)
	}
	tr.run(t, "attach", chromedp.Evaluate[chromedp.Void](`(() => {
		const dt = new DataTransfer();
		dt.items.add(new File(['%PDF-1.4 見積書'], '見積書.pdf', { type: 'application/pdf' }));
		dt.items.add(new File(['PK 請求書'], '請求書（11月分）.xlsx', { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }));
		document.getElementById('files').files = dt.files;
	})()`))
	first := "佐藤様\nお問い合わせありがとうございます。返品を承ります。"
	tr.run(t, "write", chromedp.SendKeys(chromedp.CSS("#body"), first))
	tr.submitPanel(t, "request approval (Ctrl+Enter)", chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	tr.waitText(t, "#approval-done", "承認を依頼しました。", 10*time.Second)
	tr.waitText(t, ".draft .abadge", "承認待ち", 10*time.Second)
	draftID := 0
	if v, err := chromedp.Run(tr.ctx, chromedp.Evaluate[int](`Number(document.querySelector('.draft').dataset.draft)`)); err != nil || v == 0 {
		t.Fatalf("draft id: %v", err)
	} else {
		draftID = v
	}
	tr.waitText(t, fmt.Sprintf("#draft-text-%d", draftID), "返品を承ります。", 10*time.Second)
	tr.waitText(t, fmt.Sprintf("#draft-files-%d", draftID), "見積書.pdf", 10*time.Second)
	tr.waitText(t, fmt.Sprintf("#draft-files-%d", draftID), "請求書（11月分）.xlsx", 10*time.Second)
	if got := agentReplies(t, d, id); len(got) != 0 {
		t.Fatalf("Ctrl+Enter sent a reply: %q", got)
	}
	tr.live(t)

	// The approver, in a second browser context: the nav count and the queue.
	ap := newTab(t, root, "ja")
	ap.login(t, d.URL, d.Agent.Email, "password-agent")
	ap.waitText(t, "#nav-approvals-count", "1", 10*time.Second)
	ap.run(t, "queue", chromedp.Click(chromedp.CSS("#nav-approvals")), chromedp.WaitVisible(chromedp.CSS("#approval-list a.open-draft")))
	ap.waitText(t, "#approval-list", "新人 次郎", 10*time.Second)
	ap.run(t, "open draft", chromedp.Click(chromedp.CSS("#approval-list a.open-draft")),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#decide-%d", draftID))))
	if v := ap.value(t, fmt.Sprintf("#draft-body-%d", draftID)); v != first {
		t.Errorf("approver's textarea: %q", v)
	}
	ap.live(t)
	ap.run(t, "comment", chromedp.SendKeys(chromedp.CSS(fmt.Sprintf("#draft-comment-%d", draftID)), "返送先の住所を書いてください。"))
	ap.submitPanel(t, "return", chromedp.Click(chromedp.CSS(fmt.Sprintf("#draft-return-%d", draftID))))
	ap.waitText(t, "#approval-done", "差し戻しました", 10*time.Second)

	// The trainee's open page shows the return and the comment without a reload.
	tr.waitText(t, fmt.Sprintf("#draft-%d-state", draftID), "差し戻し", 10*time.Second)
	tr.waitText(t, fmt.Sprintf("#draft-%d-comment", draftID), "返送先の住所を書いてください。", 10*time.Second)
	revised := "佐藤様\nお問い合わせありがとうございます。返品を承ります。\n返送先: 東京都千代田区1-1"
	rev := fmt.Sprintf("#draft-revise-%d", draftID)
	tr.run(t, "revise", chromedp.WaitVisible(chromedp.CSS(rev)), chromedp.Clear(chromedp.CSS(rev)), chromedp.SendKeys(chromedp.CSS(rev), revised))
	tr.submitPanel(t, "resubmit", chromedp.Click(chromedp.CSS(fmt.Sprintf("#draft-resubmit-%d", draftID))))
	tr.waitText(t, "#approval-done", "再依頼しました", 10*time.Second)
	tr.waitText(t, fmt.Sprintf("#draft-%d-state", draftID), "承認待ち", 10*time.Second)

	// The approver's open page shows it pending again, with the new text.
	ap.waitText(t, fmt.Sprintf("#draft-%d-state", draftID), "承認待ち", 10*time.Second)
	body := fmt.Sprintf("#draft-body-%d", draftID)
	if v := ap.value(t, body); v != revised {
		t.Fatalf("approver sees %q", v)
	}
	// The files came through the return and the resubmission; the
	// approver removes the quote (見積書.pdf) and keeps the invoice.
	ap.waitText(t, fmt.Sprintf("#draft-files-edit-%d", draftID), "請求書（11月分）.xlsx", 10*time.Second)
	final := revised + "\nラベルを同封いたします。"
	ap.run(t, "edit", chromedp.Clear(chromedp.CSS(body)), chromedp.SendKeys(chromedp.CSS(body), final),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`[...document.querySelectorAll('#draft-files-edit-%d li')].find((li) => li.textContent.includes('見積書.pdf')).querySelector('input[name=remove]').click()`, draftID)))
	ap.submitPanel(t, "send on behalf", chromedp.Click(chromedp.CSS(fmt.Sprintf("#draft-send-%d", draftID))))
	ap.waitText(t, "#approval-done", "代わって返信を送信しました", 10*time.Second)
	ap.waitText(t, ".msg.public:last-of-type .text", "ラベルを同封いたします。", 10*time.Second)
	ap.waitText(t, ".msg.public:last-of-type .msg-head", "新人 次郎", 10*time.Second)
	ap.waitText(t, ".msg.public:last-of-type .atts", "請求書（11月分）.xlsx", 10*time.Second)
	if txt := ap.text(t, ".msg.public:last-of-type"); strings.Contains(txt, "見積書.pdf") {
		t.Errorf("the removed file was sent: %q", txt)
	}
	ap.waitText(t, "#nav-approvals-count", "", 10*time.Second)
	if n := ap.count(t, "#nav-approvals-count:not([hidden])"); n != 0 {
		t.Errorf("the nav still counts a pending draft")
	}

	// The customer sees exactly one reply, with the final text.
	if got := agentReplies(t, d, id); len(got) != 1 || got[0] != final {
		t.Fatalf("customer sees %q", got)
	}
	// The trainee's page: the draft is sent, and there is still no way to
	// send a public reply directly.
	tr.run(t, "reload", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#request-approval")))
	tr.waitText(t, ".msg.public:last-of-type .text", "ラベルを同封いたします。", 10*time.Second)
	if tr.count(t, "#mode-public") != 0 || tr.count(t, ".draft") != 0 {
		t.Errorf("after sending: public mode %d, open drafts %d", tr.count(t, "#mode-public"), tr.count(t, ".draft"))
	}
	if !strings.Contains(tr.text(t, "#approval-panel"), "送信済み") {
		t.Errorf("panel: %q", tr.text(t, "#approval-panel"))
	}
	// In note mode Ctrl+Enter still posts a note, not a draft.
	tr.run(t, "note mode", chromedp.Click(chromedp.CSS("#mode-note")), chromedp.SendKeys(chromedp.CSS("#body"), "先輩に確認済みです。"))
	tr.submit(t, "note (Ctrl+Enter)", chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	tr.waitText(t, ".msg.note:last-of-type .text", "先輩に確認済みです。", 10*time.Second)
	if tr.count(t, ".draft") != 0 || len(agentReplies(t, d, id)) != 1 {
		t.Errorf("the note became a draft or a reply")
	}
}
