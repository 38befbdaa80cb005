package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

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

// TestRuleButtonsInvalidTrigger: switching a trigger on or off re-checks
// the whole stored trigger. One whose condition uses a field today's
// version no longer knows, or whose action names a group that does not
// exist, is shown in its form with what to fix (422), in Japanese or
// English; the stored row is untouched. (A group deleted since is not
// such a case for triggers: their checks accept a deleted group, which
// the engine skips when the trigger fires. Moving a trigger checks
// nothing of it, so rules.not_movable is only ever an automation's.)
func TestRuleButtonsInvalidTrigger(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		mk := func(title string) int64 {
			return d.Must(201, d.Admin, "POST", "/api/v2/triggers.json", map[string]any{"trigger": map[string]any{"title": title,
				"conditions": map[string]any{"all": []any{map[string]any{"field": "status", "operator": "is", "value": "new"}}, "any": []any{}},
				"actions":    []any{map[string]any{"field": "current_tags", "value": "受付済み"}}}}).Int("trigger.id")
		}
		legacy, orphan := mk("旧形式の条件で受付タグ"), mk("営業部へ回す")
		writeStore(t, d, func(tx *store.Tx) error {
			r, err := tx.Trigger(legacy)
			if err != nil {
				return err
			}
			r.Conditions = `{"all":[{"field":"ticket_legacy_channel","operator":"is","value":"fax"}],"any":[]}`
			if err := tx.UpdateTrigger(r); err != nil {
				return err
			}
			r, err = tx.Trigger(orphan)
			if err != nil {
				return err
			}
			r.Actions = `[{"field":"group_id","value":"987654"}]`
			return tx.UpdateTrigger(r)
		})
		row := func(id int64) *store.TriggerRow {
			return readStore(t, d, func(tx *store.Tx) (*store.TriggerRow, error) { return tx.Trigger(id) })
		}
		before := map[int64]*store.TriggerRow{legacy: row(legacy), orphan: row(orphan)}
		unchanged := func(what string) {
			t.Helper()
			for id, was := range before {
				if now := row(id); !reflect.DeepEqual(now, was) {
					t.Errorf("%s changed trigger %d:\n%+v\nwas\n%+v", what, id, now, was)
				}
			}
		}

		b := adminBrowser(t, d)
		lp := b.do("GET", "/settings/triggers", nil)
		if lp.status != http.StatusOK || !strings.Contains(lp.body, "旧形式の条件で受付タグ") {
			t.Fatalf("trigger list with a stale trigger: %d", lp.status)
		}
		p := b.postFrom(fmt.Sprintf("/settings/triggers/%d/active", legacy), lp, url.Values{})
		refusedPage(t, "deactivate a trigger with an unknown field", p,
			"保存できませんでした。次の点を直してください。", "「すべて」の1行目: 条件の項目 &#34;ticket_legacy_channel&#34; は使えません",
			`value="旧形式の条件で受付タグ"`, fmt.Sprintf(`action="/settings/triggers/%d"`, legacy))
		unchanged("deactivating the stale trigger")
		p = b.postFrom(fmt.Sprintf("/settings/triggers/%d/active", orphan), lp, url.Values{"active": {"1"}})
		refusedPage(t, "activate a trigger naming a missing group", p, "アクションの1行目: group 987654 は存在しません")
		unchanged("switching the trigger with a missing group")

		adminLocale(d, "en-US")
		p = b.postFrom(fmt.Sprintf("/settings/triggers/%d/active", legacy), lp, url.Values{})
		refusedPage(t, "English: deactivate a trigger with an unknown field", p,
			"Not saved. Please fix the following.", "ALL conditions, row 1: unknown field &#34;ticket_legacy_channel&#34;")
		p = b.postFrom(fmt.Sprintf("/settings/triggers/%d/active", orphan), lp, url.Values{})
		refusedPage(t, "English: a trigger naming a missing group", p, "Actions, row 1: group 987654 does not exist")
		if strings.Contains(p.body, "存在しません") {
			t.Errorf("Japanese half on an English page")
		}
		unchanged("the English attempts")
	})
}

// TestRuleButtonsInvalidAutomation: an automation stored without the
// time condition and the nullifying action today's checks require can
// be neither switched on or off (its form shows why, 422) nor moved
// (rules.not_movable, 422). Moving it down would first give the
// automation below it its place: that write is rolled back with the
// refusal, so no automation's row changes. Moving other automations
// around it, without giving it a new position, still works.
func TestRuleButtonsInvalidAutomation(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		all := func() []*store.Automation {
			return readStore(t, d, func(tx *store.Tx) ([]*store.Automation, error) { return tx.ListAutomations(store.AutomationFilter{}) })
		}
		last := int64(0)
		for _, a := range all() {
			last = max(last, a.Position)
		}
		now := time.Now().UTC().Truncate(time.Millisecond).Add(-time.Hour)
		stale := &store.Automation{Title: "解決済みを低優先度に（旧版）", Active: true, Position: last + 1,
			Conditions: `{"all":[{"field":"status","operator":"is","value":"solved"}],"any":[]}`,
			Actions:    `[{"field":"priority","value":"low"}]`, CreatedAt: now, UpdatedAt: now}
		below := &store.Automation{Title: "解決後4日でクローズ", Active: true, Position: last + 2,
			Conditions: `{"all":[{"field":"status","operator":"is","value":"solved"},{"field":"SOLVED","operator":"greater_than","value":"96"}],"any":[]}`,
			Actions:    `[{"field":"status","value":"closed"}]`, CreatedAt: now, UpdatedAt: now}
		further := &store.Automation{Title: "保留3日でリマインド", Active: true, Position: last + 3,
			Conditions: `{"all":[{"field":"PENDING","operator":"greater_than","value":"72"},{"field":"current_tags","operator":"not_includes","value":"リマインド済み"}],"any":[]}`,
			Actions:    `[{"field":"current_tags","value":"リマインド済み"}]`, CreatedAt: now, UpdatedAt: now}
		writeStore(t, d, func(tx *store.Tx) error {
			for _, a := range []*store.Automation{stale, below, further} {
				if err := tx.InsertAutomation(a); err != nil {
					return err
				}
			}
			return nil
		})
		before := all()
		unchanged := func(what string) {
			t.Helper()
			if now := all(); !reflect.DeepEqual(now, before) {
				t.Errorf("%s changed the automations", what)
				for i := range now {
					if i < len(before) && !reflect.DeepEqual(now[i], before[i]) {
						t.Logf("%+v\nwas\n%+v", now[i], before[i])
					}
				}
			}
		}

		b := adminBrowser(t, d)
		lp := b.do("GET", "/settings/automations", nil)
		if lp.status != http.StatusOK || !strings.Contains(lp.body, "解決済みを低優先度に（旧版）") {
			t.Fatalf("automation list with a stale automation: %d", lp.status)
		}
		p := b.postFrom(fmt.Sprintf("/settings/automations/%d/active", stale.ID), lp, url.Values{})
		refusedPage(t, "deactivate the stale automation", p, "保存できませんでした。次の点を直してください。",
			"時間の条件が少なくとも1つ必要です", "条件のいずれかを打ち消すアクション", `value="解決済みを低優先度に（旧版）"`)
		unchanged("deactivating the stale automation")

		for _, mv := range []struct {
			id  int64
			dir string
		}{{stale.ID, "down"}, {below.ID, "up"}, {stale.ID, "up"}} {
			p := b.postFrom(fmt.Sprintf("/settings/automations/%d/move", mv.id), lp, url.Values{"dir": {mv.dir}})
			refusedPage(t, fmt.Sprintf("move %d %s", mv.id, mv.dir), p, "順序を変えられません。現在の検証を通らないルールがあります。開いて直してください。")
			unchanged(fmt.Sprintf("moving %d %s", mv.id, mv.dir))
		}

		adminLocale(d, "en-US")
		p = b.postFrom(fmt.Sprintf("/settings/automations/%d/move", stale.ID), lp, url.Values{"dir": {"down"}})
		refusedPage(t, "English: move the stale automation", p, "The order cannot change: a rule does not pass today&#39;s checks. Open it and fix it.")
		p = b.postFrom(fmt.Sprintf("/settings/automations/%d/active", stale.ID), lp, url.Values{})
		refusedPage(t, "English: deactivate the stale automation", p, "an automation needs at least one time-based condition")
		unchanged("the English attempts")

		// The two valid automations below it swap places: the stale one
		// keeps its position and is not checked.
		p = b.postFrom(fmt.Sprintf("/settings/automations/%d/move", further.ID), lp, url.Values{"dir": {"up"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("move a valid automation past another: %d\n%s", p.status, p.body)
		}
		pos := map[int64]int64{}
		for _, a := range all() {
			pos[a.ID] = a.Position
		}
		if pos[stale.ID] != stale.Position || pos[further.ID] != below.Position || pos[below.ID] != further.Position {
			t.Errorf("positions after moving a valid automation: %v", pos)
		}
	})
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
