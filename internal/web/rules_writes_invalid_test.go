package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// The row buttons of rules_writes.go that meet a stored rule which no
// longer passes today's checks (written by an older version, or naming
// something deleted since): the button reports the problem in the
// admin's language with a 422 — never a 500 — and writes nothing.
// The tests put the rule in that state directly in the store, as an
// older version or a deletion would leave it.

// writeStore changes the desk's store directly.
func writeStore(t *testing.T, d *apptest.Desk, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := d.App.Store.Write(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// adminLocale sets the admin's language, which the pages follow.
func adminLocale(d *apptest.Desk, locale string) {
	d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", d.Admin.ID), map[string]any{"user": map[string]any{"locale": locale}})
}

// refusedPage checks a button's answer: 422, each of wants on the page
// (HTML-escaped as the page has it), and none of the internal error page.
func refusedPage(t *testing.T, what string, p *page, wants ...string) {
	t.Helper()
	if p.status != http.StatusUnprocessableEntity {
		t.Errorf("%s: status %d, want 422\n%s", what, p.status, p.body)
		return
	}
	for _, w := range wants {
		if !strings.Contains(p.body, w) {
			t.Errorf("%s: the page lacks %q", what, w)
		}
	}
}

// TestRuleButtonsInvalidMacro: a shared macro whose action sets a group
// that was deleted since cannot be switched on or off from the list
// (rules.macro_invalid, 422) and stays as stored. The refusal is in the
// admin's own language — English here, from a Japanese browser — with a
// way back to the desk: the error page knows who is signed in.
func TestRuleButtonsInvalidMacro(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		group := d.Must(201, d.Admin, "POST", "/api/v2/groups", map[string]any{"group": map[string]any{"name": "営業部"}}).Int("group.id")
		id := d.Must(201, d.Admin, "POST", "/api/v2/macros", map[string]any{"macro": map[string]any{"title": "営業部へ回す",
			"actions": []any{map[string]any{"field": "group_id", "value": fmt.Sprint(group)}, map[string]any{"field": "comment_value", "value": "営業部から折り返しご連絡いたします。"}}}}).Int("macro.id")
		d.Must(204, d.Admin, "DELETE", fmt.Sprintf("/api/v2/groups/%d", group), nil)
		macro := func() *store.Macro {
			return readStore(t, d, func(tx *store.Tx) (*store.Macro, error) { return tx.Macro(id) })
		}
		before := macro()
		if !before.Active {
			t.Fatalf("macro: %+v", before)
		}

		b := adminBrowser(t, d)
		lp := b.do("GET", "/settings/macros", nil)
		if lp.status != http.StatusOK || !strings.Contains(lp.body, "営業部へ回す") {
			t.Fatalf("macro list with a macro naming a deleted group: %d", lp.status)
		}
		p := b.postFrom(fmt.Sprintf("/settings/macros/%d/active", id), lp, url.Values{})
		refusedPage(t, "deactivate the macro", p, `<a href="/tickets">戻る</a>`, "このマクロは現在の検証を通らないため切り替えられません。編集して直してください。")
		if now := macro(); !reflect.DeepEqual(now, before) {
			t.Errorf("deactivating changed the macro:\n%+v\nwas\n%+v", now, before)
		}
		// Its form says what to fix.
		if f := b.do("GET", fmt.Sprintf("/settings/macros/%d", id), nil); f.status != http.StatusOK {
			t.Errorf("the macro's form: %d", f.status)
		}

		adminLocale(d, "en-US")
		p = b.postFrom(fmt.Sprintf("/settings/macros/%d/active", id), lp, url.Values{"active": {"1"}})
		refusedPage(t, "English: switch the macro", p, `<html lang="en">`, `<a href="/tickets">Go back</a>`, "This macro does not pass today&#39;s checks, so it cannot be switched. Edit it to fix it.")
		if now := macro(); !reflect.DeepEqual(now, before) {
			t.Errorf("the English attempt changed the macro:\n%+v\nwas\n%+v", now, before)
		}
	})
}
