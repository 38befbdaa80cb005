package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

// draftHistory returns the actions and actors of draft id's history, as
// GET /tickets/{id}/drafts shows them.
func draftHistory(t *testing.T, d *apptest.Desk, tk, id int64) (actions []string, actors []int64) {
	t.Helper()
	r := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk), nil)
	for i := 0; i < r.Len("drafts"); i++ {
		if r.Int(fmt.Sprintf("drafts.%d.id", i)) != id {
			continue
		}
		for j := 0; j < r.Len(fmt.Sprintf("drafts.%d.history", i)); j++ {
			p := fmt.Sprintf("drafts.%d.history.%d.", i, j)
			actions = append(actions, r.Str(p+"action"))
			actors = append(actors, r.Int(p+"actor_id"))
		}
	}
	return actions, actors
}

// TestDraftApproveWithEdit: POST /drafts/{id}/approve takes an optional
// {"draft": {...}} edit (the fields of PUT /drafts/{id}), applied and
// approved at once: the answer and the history show the edit and the
// approval, and the author's send posts the edited text as the public
// comment. A "draft" carrying only a version approves without an edit.
func TestDraftApproveWithEdit(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		trainee, tk := traineeAndTicket(t, d, "配送日の変更", "配送日を来週の火曜日に変更できますか。")
		id := d.Must(201, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk), map[string]any{"draft": map[string]any{
			"body": "鈴木様\n配送日を変更しました。", "cc": []string{"buchou@customer.co.jp"}}}).Int("draft.id")
		path := fmt.Sprintf("/api/v2/drafts/%d", id)
		v := d.Must(200, d.Agent, "GET", path, nil).Int("draft.version")

		edited := "鈴木様\n配送日を12月15日（火）に変更いたしました。ご不便をおかけし申し訳ございません。"
		ap := d.Must(200, d.Agent, "POST", path+"/approve", map[string]any{"comment": "日付を明記しました。",
			"draft": map[string]any{"body": edited, "version": v}})
		if ap.Str("draft.state") != "approved" || ap.Str("draft.body") != edited || ap.Str("draft.approver_comment") != "日付を明記しました。" ||
			ap.Int("draft.decided_by_id") != d.Agent.ID || ap.Str("draft.cc.0") != "buchou@customer.co.jp" || ap.Int("draft.version") <= v {
			t.Fatalf("approve with an edit: %s", ap.Raw)
		}
		actions, actors := draftHistory(t, d, tk, id)
		if strings.Join(actions, ",") != "submitted,edited,approved" || actors[1] != d.Agent.ID || actors[2] != d.Agent.ID {
			t.Fatalf("history: %v by %v", actions, actors)
		}
		if bodies, _ := publicAgentComments(d, tk, d.Customer.ID); len(bodies) != 0 {
			t.Fatalf("approving posted a comment: %q", bodies)
		}
		sent := d.Must(200, trainee, "POST", path+"/send", map[string]any{"version": ap.Int("draft.version")})
		if sent.Str("draft.state") != "sent" {
			t.Fatalf("send: %s", sent.Raw)
		}
		if bodies, authors := publicAgentComments(d, tk, d.Customer.ID); len(bodies) != 1 || bodies[0] != edited || authors[0] != trainee.ID {
			t.Fatalf("public comments: %q %v", bodies, authors)
		}

		// html_body and cc, top-level version; a version-only "draft" is no edit.
		id2 := d.Must(201, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk), map[string]any{"draft": map[string]any{
			"body": "追伸：伝票番号をお送りします。"}}).Int("draft.id")
		p2 := fmt.Sprintf("/api/v2/drafts/%d", id2)
		v2 := d.Must(200, d.Agent, "GET", p2, nil).Int("draft.version")
		ap2 := d.Must(200, d.Admin, "POST", p2+"/approve", map[string]any{"version": v2, "draft": map[string]any{
			"html_body": "<p>追伸：伝票番号は<b>1234-5678</b>です。</p>", "cc": []string{"Soumu@Customer.co.jp"}}})
		if ap2.Str("draft.body") != "追伸：伝票番号は1234-5678です。" || ap2.Str("draft.cc.0") != "soumu@customer.co.jp" || ap2.Str("draft.state") != "approved" {
			t.Fatalf("approve with an html edit: %s", ap2.Raw)
		}
		id3 := d.Must(201, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk), map[string]any{"draft": map[string]any{
			"body": "もう一点ございます。"}}).Int("draft.id")
		p3 := fmt.Sprintf("/api/v2/drafts/%d", id3)
		v3 := d.Must(200, d.Agent, "GET", p3, nil).Int("draft.version")
		ap3 := d.Must(200, d.Agent, "POST", p3+"/approve", map[string]any{"draft": map[string]any{"version": v3}})
		if ap3.Str("draft.state") != "approved" || ap3.Str("draft.body") != "もう一点ございます。" {
			t.Fatalf("approve with a version only: %s", ap3.Raw)
		}
		if actions, _ := draftHistory(t, d, tk, id3); actions[len(actions)-1] != "approved" || actions[len(actions)-2] == "edited" {
			t.Fatalf("a version-only approval recorded an edit: %v", actions)
		}
	})
}

// TestDraftApproveWithEditRefused: an approval with an edit that cannot
// be made changes nothing — a stale version is 409 DraftChanged, an empty
// body 422 naming the body, a trainee (not an approver) and an approver
// on their own draft 403, and an edit in a return 400 — and the draft
// stays pending with its text and history as they were.
func TestDraftApproveWithEditRefused(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		trainee, tk := traineeAndTicket(t, d, "請求書の再発行", "請求書を再発行してください。")
		orig := "山田様\n請求書を再発行いたします。"
		id := d.Must(201, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk), map[string]any{"draft": map[string]any{"body": orig}}).Int("draft.id")
		path := fmt.Sprintf("/api/v2/drafts/%d", id)
		stale := d.Must(200, d.Agent, "GET", path, nil).Int("draft.version")
		// Another approver edits after the first read the draft.
		d.Must(200, d.Admin, "PUT", path, map[string]any{"draft": map[string]any{"body": orig + "\n本日発送します。"}})
		cur := d.Must(200, d.Agent, "GET", path, nil)
		unchanged := func(what string) {
			t.Helper()
			r := d.Must(200, d.Agent, "GET", path, nil)
			if r.Str("draft.state") != "pending" || r.Str("draft.body") != cur.Str("draft.body") || r.Int("draft.version") != cur.Int("draft.version") ||
				r.Int("draft.decided_by_id") != 0 {
				t.Fatalf("%s changed the draft: %s", what, r.Raw)
			}
			if actions, _ := draftHistory(t, d, tk, id); strings.Join(actions, ",") != "submitted,edited" {
				t.Fatalf("%s changed the history: %v", what, actions)
			}
			if bodies, _ := publicAgentComments(d, tk, d.Customer.ID); len(bodies) != 0 {
				t.Fatalf("%s posted a comment: %q", what, bodies)
			}
		}

		for _, body := range []map[string]any{
			{"draft": map[string]any{"body": "古い版への編集", "version": stale}},
			{"version": stale, "draft": map[string]any{"body": "古い版への編集"}},
		} {
			r := d.Must(409, d.Agent, "POST", path+"/approve", body)
			if r.Str("error") != "DraftChanged" || !strings.Contains(r.Str("description"), "この下書きは更新されました") {
				t.Errorf("stale approve %v: %s", body, r.Raw)
			}
			unchanged("a stale approval")
		}

		for _, blank := range []string{"", " \n　"} {
			r := d.Must(422, d.Agent, "POST", path+"/approve", map[string]any{"draft": map[string]any{"body": blank}})
			if !strings.Contains(string(r.Raw), "本文を入力してください") || !strings.Contains(string(r.Raw), "body") {
				t.Errorf("blank body %q: %s", blank, r.Raw)
			}
			unchanged("an approval with an empty body")
		}
		if r := d.Must(422, d.Agent, "POST", path+"/approve", map[string]any{"draft": map[string]any{"body": "宛先を追加", "cc": []string{"宛先なし"}}}); !strings.Contains(string(r.Raw), "CC のメールアドレスが正しくありません") {
			t.Errorf("bad cc: %s", r.Raw)
		}
		unchanged("an approval with a bad cc")

		r := d.Must(403, trainee, "POST", path+"/approve", map[string]any{"draft": map[string]any{"body": "自分で書き換えて承認"}})
		if !strings.Contains(r.Str("description"), "承認できるのは管理者と承認不要のエージェントです") {
			t.Errorf("trainee approves: %s", r.Raw)
		}
		unchanged("the trainee's approval")
		d.Must(403, d.Light, "POST", path+"/approve", map[string]any{"draft": map[string]any{"body": "ライト"}})
		unchanged("a light agent's approval")

		if r := d.Must(400, d.Agent, "POST", path+"/return", map[string]any{"comment": "直してください。", "draft": map[string]any{"body": "差し戻しで編集"}}); r.Str("error") != "InvalidValue" {
			t.Errorf("return with an edit: %s", r.Raw)
		}
		unchanged("a return with an edit")

		// An approver's own draft: 403, untouched.
		own := d.Must(201, d.Agent, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk), map[string]any{"draft": map[string]any{"body": "念のため確認をお願いします。"}}).Int("draft.id")
		r = d.Must(403, d.Agent, "POST", fmt.Sprintf("/api/v2/drafts/%d/approve", own), map[string]any{"draft": map[string]any{"body": "自分の下書きを書き換え"}})
		if !strings.Contains(r.Str("description"), "自分の下書きは承認できません") {
			t.Errorf("own draft: %s", r.Raw)
		}
		if o := d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/drafts/%d", own), nil); o.Str("draft.state") != "pending" || o.Str("draft.body") != "念のため確認をお願いします。" {
			t.Errorf("own draft changed: %s", o.Raw)
		}
	})
}
