package web

import (
	"errors"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/auth"
	"github.com/kizuna-desk/kizuna/internal/blob"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/richtext"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// updateTicket is the one form of the ticket page: a reply or note with
// attachments, and the ticket's status, priority, assignee, group and
// tags. Only what differs from the ticket is sent to the domain, so the
// audit shows what the agent changed, not what the form repeated. The
// "assign to me" button sends only the assignment.
func (s *Server) updateTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	me := currentUser(r)
	cur, err := s.Tickets.Get(r.Context(), me, id)
	if err != nil {
		return err
	}
	if r.FormValue("mode") == "approval" && r.FormValue("action") != "assign_me" {
		return s.requestApproval(w, r) // a trainee's reply: request approval (approvals.go)
	}
	var ch tickets.Change
	ch.Via = "web"
	body, mode := strings.TrimSpace(strings.ReplaceAll(r.FormValue("body"), "\r\n", "\n")), r.FormValue("mode")
	if r.FormValue("action") == "assign_me" {
		ch.AssigneeID = &me.ID
	} else {
		if err := formChange(r, cur, &ch); err != nil {
			return err
		}
		var defs []*model.TicketField
		if hasFieldInputs(r) {
			if err := s.Store.Read(r.Context(), func(tx *store.Tx) (err error) { defs, err = tx.TicketFields(); return err }); err != nil {
				return err
			}
		}
		if err := propsChange(r, cur, defs, &ch); err != nil {
			return err
		}
		token, err := s.saveUploads(r, me)
		if err != nil {
			var he *httpError
			if errors.As(err, &he) && he.status == http.StatusRequestEntityTooLarge {
				return s.retry(w, r, id, body, mode, []string{s.view(r).T("compose.too_large")})
			}
			return err
		}
		if body == "" && token != "" {
			return s.retry(w, r, id, body, mode, []string{s.view(r).T("compose.body_required")})
		}
		if body != "" {
			public := mode != "note"
			ch.Comment = &tickets.CommentInput{Body: body, Public: &public}
			if token != "" {
				ch.Comment.Uploads = []string{token}
			}
		}
		// CC, scheduled send (ticket_extras.go).
		if problems := s.composeExtras(r, &ch); len(problems) > 0 {
			return s.retry(w, r, id, body, mode, problems)
		}
	}
	public := ch.Comment != nil && ch.Comment.Public != nil && *ch.Comment.Public
	if public && r.FormValue("takeover") == "" {
		// Someone else is writing a public reply right now: stop this one
		// unless the agent deliberately takes over (二重返信防止).
		if names := s.presence.othersReplying(id, me.ID); len(names) > 0 {
			d, err := s.loadTicket(r, id)
			if err != nil {
				return err
			}
			d.Errors, d.Body, d.Mode, d.Locked = []string{s.view(r).T("compose.locked", strings.Join(names, "、"))}, body, mode, true
			return s.showTicket(w, r, http.StatusConflict, d)
		}
	}
	res, err := s.Tickets.Update(r.Context(), me, id, ch)
	if err != nil {
		var inv *errs.Invalid
		switch {
		case errors.As(err, &inv):
			return s.retry(w, r, id, body, mode, invalidMessages(inv))
		case errors.Is(err, tickets.ErrApprovalRequired):
			return s.retry(w, r, id, body, mode, []string{s.view(r).T("approval.must_request")})
		case errors.Is(err, errs.ErrForbidden):
			return s.retry(w, r, id, body, mode, []string{s.view(r).T("error.forbidden")})
		case errors.Is(err, errs.ErrConflict):
			return s.retry(w, r, id, body, mode, []string{s.view(r).T("error.conflict")})
		}
		return err
	}
	if public {
		s.presence.setReplying(id, me, false)
	}
	to := fmt.Sprintf("/tickets/%d?saved=1", id)
	if public && res.Comment != nil {
		to += fmt.Sprintf("&sent=%d", res.Comment.ID) // the undo banner
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// formChange copies the form's ticket fields onto ch where they differ from
// cur. Fields missing from the form (a light agent's page has none) are
// left alone.
func formChange(r *http.Request, cur *model.Ticket, ch *tickets.Change) error {
	if v, ok := formValue(r, "status"); ok && v != cur.Status {
		if !slices.Contains(model.Statuses, v) {
			return errBadInput
		}
		ch.Status = &v
	}
	if v, ok := formValue(r, "priority"); ok && v != cur.Priority {
		if v != "" && !slices.Contains(model.Priorities, v) {
			return errBadInput
		}
		ch.Priority = &v
	}
	for _, f := range []struct {
		name string
		cur  int64
		dst  **int64
	}{{"assignee_id", cur.AssigneeID, &ch.AssigneeID}, {"group_id", cur.GroupID, &ch.GroupID}} {
		v, ok := formValue(r, f.name)
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if v == "" {
			n, err = 0, nil
		}
		if err != nil || n < 0 {
			return errBadInput
		}
		if n != f.cur {
			*f.dst = &n
		}
	}
	if v, ok := formValue(r, "tags"); ok {
		tags := splitTags(v)
		if !slices.Equal(tags, sortedTags(cur.Tags)) {
			ch.Tags = &tags
		}
	}
	return nil
}

func formValue(r *http.Request, name string) (string, bool) {
	if _, ok := r.Form[name]; !ok {
		if r.MultipartForm == nil {
			return "", false
		}
		if _, ok := r.MultipartForm.Value[name]; !ok {
			return "", false
		}
	}
	return strings.TrimSpace(r.FormValue(name)), true
}

// splitTags reads the tag box: words separated by spaces or commas.
func splitTags(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '、' || r == ' ' || r == '\u3000' || r == '\t' || r == '\n'
	})
	return sortedTags(f)
}

func sortedTags(tags []string) []string {
	out := slices.Clone(tags)
	for i, t := range out {
		out[i] = strings.ToLower(t)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func joinTags(tags []string) string { return strings.Join(tags, " ") }

// saveUploads stores the composer's files as one upload token the comment
// then claims; "" when there are none.
func (s *Server) saveUploads(r *http.Request, me *model.User) (string, error) {
	if r.MultipartForm == nil || len(r.MultipartForm.File["files"]) == 0 {
		return "", nil
	}
	var atts []*model.Attachment
	for _, fh := range r.MultipartForm.File["files"] {
		name := filepath.Base(strings.ReplaceAll(fh.Filename, "\\", "/"))
		if fh.Size == 0 && name == "." {
			continue // the browser's empty file input
		}
		if !utf8.ValidString(name) || name == "" || name == "." || name == "/" {
			return "", errBadInput
		}
		f, err := fh.Open()
		if err != nil {
			return "", err
		}
		sum, size, err := s.Blobs.Put(f, s.MaxUploadBytes)
		f.Close()
		if errors.Is(err, blob.ErrTooLarge) {
			return "", &httpError{http.StatusRequestEntityTooLarge, "compose.too_large"}
		}
		if err != nil {
			return "", err
		}
		ctype := mime.TypeByExtension(strings.ToLower(filepath.Ext(name)))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		atts = append(atts, &model.Attachment{FileName: name, ContentType: ctype, Size: size, SHA256: sum, CreatedAt: s.Now().UTC()})
	}
	if len(atts) == 0 {
		return "", nil
	}
	token := auth.NewSecret()[:24]
	err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		if err := tx.InsertUpload(token, me.ID, s.Now().UnixMilli()); err != nil {
			return err
		}
		for _, a := range atts {
			a.UploadToken = token
			if err := tx.InsertAttachment(a); err != nil {
				return err
			}
		}
		return nil
	})
	return token, err
}

// retry shows the ticket page again with the composer as it was and the
// problems that stopped the write.
func (s *Server) retry(w http.ResponseWriter, r *http.Request, id int64, body, mode string, problems []string) error {
	d, err := s.loadTicket(r, id)
	if err != nil {
		return err
	}
	d.Errors, d.Body, d.Mode = problems, body, mode
	return s.showTicket(w, r, http.StatusUnprocessableEntity, d)
}

func invalidMessages(inv *errs.Invalid) []string {
	var out []string
	for _, ds := range inv.Details {
		for _, d := range ds {
			out = append(out, d.Description)
		}
	}
	slices.Sort(out)
	return out
}

// attachment sends one file of the ticket's conversation. Images are shown
// inline (previews); anything else is a download, so a crafted HTML or SVG
// file never runs as a page of ours.
func (s *Server) attachment(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	aid, err := strconv.ParseInt(r.PathValue("aid"), 10, 64)
	if err != nil {
		return errNotFound
	}
	var att *model.Attachment
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		if att, err = tx.Attachment(aid); err != nil {
			return err
		}
		if att.CommentID == 0 {
			return errNotFound
		}
		tk, err := tx.TicketOfComment(att.CommentID)
		if err != nil {
			return err
		}
		if tk.ID != id || !tk.DeletedAt.IsZero() {
			return errNotFound
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.serveAttachment(w, r, att, "private, max-age=3600")
}

// serveAttachment sends a stored file: inline only for types that cannot
// run script (images, PDF, plain text), in a sandbox with no permissions.
func (s *Server) serveAttachment(w http.ResponseWriter, r *http.Request, att *model.Attachment, cache string) error {
	f, err := s.Blobs.Open(att.SHA256)
	if err != nil {
		return err
	}
	defer f.Close()
	disp, ctype := "attachment", "application/octet-stream"
	if previewable(att.ContentType) {
		disp, ctype = "inline", att.ContentType
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": att.FileName}))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", cache)
	http.ServeContent(w, r, "", att.CreatedAt, f)
	return nil
}

// mailTemplate is the document inside the mail frame.
var mailTemplate = template.Must(template.New("mail").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><link rel="stylesheet" href="{{.CSS}}"></head><body>{{.Body}}` +
	`{{if .Quoted}}<details class="quoted"><summary title="{{.More}}" aria-label="{{.More}}">…</summary>{{.Quoted}}</details>{{end}}</body></html>`))

// sanitizedHTML passes stored mail HTML through the sanitizer once more on
// the way out (stored bodies were sanitized too; policies only get
// stricter) and marks it safe for the frame's template.
func sanitizedHTML(s string) template.HTML {
	return template.HTML(richtext.Sanitize(s)) // #nosec: sanitized just above
}

// quotedHTML is the folded quote of a mail: cut from sanitized HTML and
// sanitized again, "" stays empty.
func quotedHTML(s string) template.HTML {
	if s == "" {
		return ""
	}
	return sanitizedHTML(s)
}
