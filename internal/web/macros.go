package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/macros"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

func init() {
	for k, v := range macroMessages {
		messages[k] = v
	}
}

var macroMessages = map[string][2]string{
	"macro.title":       {"マクロ", "Macros"},
	"macro.filter":      {"マクロを絞り込む", "Filter macros"},
	"macro.search":      {"絞り込む", "Filter"},
	"macro.none":        {"使えるマクロがありません。", "No macros to use."},
	"macro.preview":     {"プレビュー", "Preview"},
	"macro.apply":       {"適用", "Apply"},
	"macro.comment":     {"コメント", "Comment"},
	"macro.no_comment":  {"コメントは追加されません。", "Adds no comment."},
	"macro.changes":     {"変更される項目", "Fields it changes"},
	"macro.no_changes":  {"項目は変更されません。", "Changes no fields."},
	"macro.applied":     {"マクロ「%s」を適用しました。内容を確認して送信してください（まだ保存されていません）。", "Applied the macro “%s”. Check and submit (nothing is saved yet)."},
	"macro.not_in_form": {"この画面では変更できない項目です（API で適用してください）", "not on this page's form (apply through the API)"},
	"macro.close":       {"閉じる", "Close"},
	"macro.subject":     {"件名", "Subject"},
	"macro.type":        {"種別", "Type"},
	"macro.fields":      {"カスタムフィールド", "Custom fields"},
	"macro.tags_add":    {"追加するタグ", "Tags added"},
	"macro.tags_del":    {"外すタグ", "Tags removed"},
}

// macroPicker is the ticket page's list of macros the agent may apply,
// filtered by ?macro_q=, with the preview of ?macro=ID.
type macroPicker struct {
	Q       string
	List    []*store.Macro
	Preview *macroPreview
	Applied string // title of the macro just applied (POST)
}

// macroPreview is what a macro would do to this ticket.
type macroPreview struct {
	Macro   *store.Macro
	Comment *macros.Comment
	Changes []fieldChange
	Error   string
}

// fieldChange is one line of the preview: a label key and the new value.
type fieldChange struct {
	Label   string
	Value   string
	Missing bool // the page's form cannot carry it
}

// macroList reads the macros me may apply, most used this week first.
func (s *Server) macroList(tx *store.Tx, me *model.User, q string) ([]*store.Macro, error) {
	active := true
	l, err := macros.List(tx, me, macros.Query{Active: &active, OnlyViewable: true, Text: q, SortBy: "usage_7d"}, s.Now())
	if err != nil {
		return nil, err
	}
	return l.Macros, nil
}

// loadMacros fills the picker of d for the ticket page's GET.
func (s *Server) loadMacros(r *http.Request, d *ticketData) error {
	me := currentUser(r)
	q := strings.TrimSpace(r.URL.Query().Get("macro_q"))
	d.Macros = &macroPicker{Q: q}
	mid, _ := strconv.ParseInt(r.URL.Query().Get("macro"), 10, 64)
	return s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		if d.Macros.List, err = s.macroList(tx, me, q); err != nil {
			return err
		}
		if mid <= 0 {
			return nil
		}
		m, err := macros.Usable(tx, me, mid)
		if errors.Is(err, store.ErrNotFound) {
			return nil // another's personal macro: as if it did not exist
		}
		if err != nil {
			return err
		}
		p, _, err := s.previewMacro(r, tx, m, d)
		d.Macros.Preview = p
		return err
	})
}

// previewMacro applies m to d's ticket without saving. A macro whose
// template fails shows the error instead of breaking the page.
func (s *Server) previewMacro(r *http.Request, tx *store.Tx, m *store.Macro, d *ticketData) (*macroPreview, *model.Ticket, error) {
	p := &macroPreview{Macro: m}
	ch, c, err := macros.Apply(tx, m, d.Ticket, currentUser(r), s.absoluteBase(r))
	var inv *errs.Invalid
	if errors.As(err, &inv) {
		p.Error = strings.Join(invalidMessages(inv), " ")
		return p, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	p.Comment = c
	after := macros.Preview(d.Ticket, ch)
	p.Changes = s.describeChanges(r, d, ch, after)
	return p, after, nil
}

func (s *Server) describeChanges(r *http.Request, d *ticketData, ch tickets.Change, after *model.Ticket) []fieldChange {
	v := s.view(r)
	var out []fieldChange
	add := func(label, value string, missing bool) { out = append(out, fieldChange{label, value, missing}) }
	if ch.Subject != nil {
		add("macro.subject", after.Subject, true)
	}
	if ch.Status != nil {
		add("col.status", v.T("status."+after.Status), false)
	}
	if ch.Priority != nil {
		val := "—"
		if after.Priority != "" {
			val = v.T("priority." + after.Priority)
		}
		add("col.priority", val, false)
	}
	if ch.Type != nil {
		add("macro.type", after.Type, true)
	}
	if ch.AssigneeID != nil {
		val := v.T("queue.unassigned")
		if after.AssigneeID != 0 {
			val = d.Names["user:"+strconv.FormatInt(after.AssigneeID, 10)]
		}
		add("col.assignee", val, false)
	}
	if ch.GroupID != nil {
		val := "—"
		if after.GroupID != 0 {
			val = d.Names["group:"+strconv.FormatInt(after.GroupID, 10)]
		}
		add("ticket.group", val, false)
	}
	var added, removed []string
	for _, t := range after.Tags {
		if !slices.Contains(d.Ticket.Tags, t) {
			added = append(added, t)
		}
	}
	for _, t := range d.Ticket.Tags {
		if !slices.Contains(after.Tags, t) {
			removed = append(removed, t)
		}
	}
	if len(added) > 0 {
		add("macro.tags_add", strings.Join(added, " "), false)
	}
	if len(removed) > 0 {
		add("macro.tags_del", strings.Join(removed, " "), false)
	}
	if len(ch.CustomFields) > 0 {
		add("macro.fields", strconv.Itoa(len(ch.CustomFields)), true)
	}
	return out
}

// applyMacro fills the composer and the property form with what the macro
// does and shows the page again; like Zendesk, nothing is saved until the
// agent submits. It counts one use, as the API's apply does. A draft the
// page sends along (draft) is kept above the macro's text.
func (s *Server) applyMacro(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	mid, err := strconv.ParseInt(r.FormValue("macro"), 10, 64)
	if err != nil || mid <= 0 {
		return errBadInput
	}
	me := currentUser(r)
	if _, err := s.Tickets.Get(r.Context(), me, id); err != nil {
		return err
	}
	d, err := s.loadTicket(r, id)
	if err != nil {
		return err
	}
	d.Macros = &macroPicker{}
	d.Mode = "public"
	if !me.IsAgent() {
		d.Mode = "note"
	}
	d.Body = strings.TrimSpace(strings.ReplaceAll(r.FormValue("draft"), "\r\n", "\n"))
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		m, err := macros.Usable(tx, me, mid)
		if err != nil {
			return err
		}
		p, after, err := s.previewMacro(r, tx, m, d)
		if err != nil {
			return err
		}
		if d.Macros.List, err = s.macroList(tx, me, ""); err != nil {
			return err
		}
		if p.Error != "" {
			d.Errors = []string{p.Error}
			return nil
		}
		d.Macros.Applied = m.Title
		d.Form = after
		if c := p.Comment; c != nil {
			if d.Body != "" {
				d.Body += "\n\n"
			}
			d.Body += c.Body
			if !c.Public {
				d.Mode = "note"
			}
		}
		return macros.RecordUse(tx, m.ID, s.Now())
	})
	if err != nil {
		return err
	}
	d.Tags = joinTags(d.Form.Tags)
	fieldValues(d)
	status := http.StatusOK
	if d.Errors != nil {
		status = http.StatusUnprocessableEntity
	}
	return s.showTicket(w, r, status, d)
}
