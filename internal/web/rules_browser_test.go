package web_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestBrowserRuleSettings drives real Chromium through the trigger form:
// the admin picks fields from the engine's list (the operators follow the
// field), adds a row in place, saves, sees the trigger in the list, and a
// ticket written afterwards gets the trigger's tag.
func TestBrowserRuleSettings(t *testing.T) {
	root := headless(t)
	t.Run("sqlite", func(t *testing.T) { browserRuleSettings(t, root, apptest.Start(t, "")) })
	t.Run("postgres", func(t *testing.T) { browserRuleSettings(t, root, apptest.Start(t, storetest.PostgresURL(t))) })
}

func browserRuleSettings(t *testing.T, root context.Context, d *apptest.Desk) {
	admin := newTab(t, root, "ja")
	admin.login(t, d.URL, d.Admin.Email, "管理者のパスワード")
	pick := func(sel, value string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector(` + jsString(sel) + `); s.value = ` + jsString(value) +
			`; s.dispatchEvent(new Event('change', {bubbles: true})); })()`)
	}
	eval := func(js string) string {
		ctx, cancel := context.WithTimeout(admin.ctx, 5*time.Second)
		defer cancel()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	admin.run(t, "open the form", chromedp.Navigate(d.URL+"/settings/triggers/new"), chromedp.WaitVisible(chromedp.CSS("#rule-form")),
		chromedp.SendKeys(chromedp.CSS("#title"), "トリガー「VIP顧客を優先」"),
		pick("#all-field-0", "subject_includes_word"))
	// The operator list follows the field: text has no "less than".
	if got := eval(`[...document.querySelectorAll('#all-op-0 option')].filter(o => !o.hidden).map(o => o.value).join(' ')`); got != "is is_not includes not_includes" {
		t.Errorf("operators for subject text: %q", got)
	}
	admin.run(t, "first row", pick("#all-op-0", "includes"), chromedp.SendKeys(chromedp.CSS("#all-value-0"), "VIP"))
	// Add a row in place (no round trip: the title stays typed).
	admin.run(t, "add row", chromedp.Click(chromedp.CSS("#add-all")), chromedp.WaitVisible(chromedp.CSS("#all-field-2")))
	if n := eval(`String(document.querySelectorAll('fieldset[data-rows="all"] tbody tr').length)`); n != "3" {
		t.Errorf("rows after add: %s", n)
	}
	if got := eval(`document.activeElement.id`); got != "all-field-2" {
		t.Errorf("focus after add row: %q", got)
	}
	admin.run(t, "new row", pick("#all-field-2", "current_tags"), pick("#all-op-2", "not_includes"),
		chromedp.SendKeys(chromedp.CSS("#all-value-2"), "spam"),
		pick("#act-field-0", "current_tags"), chromedp.SendKeys(chromedp.CSS("#act-value-0"), "vip優先"))
	admin.submit(t, "save", chromedp.Click(chromedp.CSS("#rule-save")))
	admin.waitText(t, "#saved", "保存しました", time.Second)
	admin.waitText(t, "#rule-list", "トリガー「VIP顧客を優先」", time.Second)

	tk := createTicket(t, d, "VIP会員ですが配送が遅れています")
	if !slices.Contains(tk.Tags, "vip優先") {
		t.Errorf("ticket after the trigger was saved: tags %v", tk.Tags)
	}
	spam := createTicket(t, d, "VIP限定セール", "spam")
	if slices.Contains(spam.Tags, "vip優先") {
		t.Errorf("the added row (tags do not include spam) was not saved: tags %v", spam.Tags)
	}
	if strings.Contains(eval(`document.body.innerHTML`), "<script>") {
		t.Errorf("inline script on the page")
	}
}
