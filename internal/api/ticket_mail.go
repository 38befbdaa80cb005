package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/outbound"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Mail of a ticket (our extension): every mail in and out with its delivery
// state, the raw RFC 5322 bytes, and recalling a reply before it goes.
func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/tickets/{id}/mail_messages", s.ticketMail)
		s.handle("GET /api/v2/mail_messages/{id}", s.showMail)
		s.handle("GET /api/v2/mail_messages/{id}/raw", s.rawMail)
		s.handle("POST /api/v2/mail_messages/{id}/cancel", s.cancelMail)
		s.handle("POST /api/v2/mail_messages/{id}/retry", s.retryMail)
	})
}

func presentMail(r *http.Request, m *model.MailMessage) map[string]any {
	refs := m.References
	if refs == nil {
		refs = []string{}
	}
	to := m.RcptTo
	if to == nil {
		to = []string{}
	}
	out := map[string]any{
		"id": m.ID, "url": fmt.Sprintf("%s/api/v2/mail_messages/%d.json", baseURL(r), m.ID),
		"raw_url":  fmt.Sprintf("%s/api/v2/mail_messages/%d/raw", baseURL(r), m.ID),
		"inbox_id": idPtr(m.InboxID), "ticket_id": idPtr(m.TicketID), "comment_id": idPtr(m.CommentID),
		"direction": m.Direction, "state": m.State, "error": strPtr(m.Error), "attempts": m.Attempts,
		"message_id": m.MessageID, "in_reply_to": strPtr(m.InReplyTo), "references": refs,
		"from": m.MailFrom, "to": to, "subject": m.Subject, "size": m.Size, "source": m.Source,
		"next_attempt_at": nil, "created_at": isoTime(m.CreatedAt), "updated_at": isoTime(m.UpdatedAt),
	}
	if !m.NextAttemptAt.IsZero() && (m.State == model.MailQueued || m.State == outbound.StateSending) {
		out["next_attempt_at"] = m.NextAttemptAt.UTC().Format(time.RFC3339)
	}
	return out
}

func (s *Server) ticketMail(w http.ResponseWriter, r *http.Request) error {
	id, err := s.staffTicketID(r)
	if err != nil {
		return err
	}
	var list []*model.MailMessage
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		list, err = tx.MailMessagesOfTicket(id)
		return err
	}); err != nil {
		return err
	}
	out := make([]map[string]any, len(list))
	for i, m := range list {
		out[i] = presentMail(r, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"mail_messages": out, "next_page": nil, "previous_page": nil, "count": len(out)})
	return nil
}

// visibleMail loads a mail for a staff member.
func (s *Server) visibleMail(r *http.Request) (*model.MailMessage, error) {
	if err := requireStaff(r); err != nil {
		return nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	var m *model.MailMessage
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		m, err = tx.MailMessage(id)
		return err
	})
	return m, err
}

func (s *Server) showMail(w http.ResponseWriter, r *http.Request) error {
	m, err := s.visibleMail(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"mail_message": presentMail(r, m)})
	return nil
}

// rawMail serves the mail exactly as received or sent, as a download so a
// crafted message is never rendered on our origin.
func (s *Server) rawMail(w http.ResponseWriter, r *http.Request) error {
	m, err := s.visibleMail(r)
	if err != nil {
		return err
	}
	f, err := s.Blobs.Open(m.SHA256)
	if err != nil {
		return store.ErrNotFound
	}
	defer f.Close()
	w.Header().Set("Content-Type", "message/rfc822")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="mail-%d.eml"`, m.ID))
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Header().Set("Content-Length", fmt.Sprint(m.Size))
	_, err = io.Copy(w, f)
	return err
}

// cancelMail recalls a reply that has not gone yet (undo send, or a
// scheduled or held reply).
func (s *Server) cancelMail(w http.ResponseWriter, r *http.Request) error {
	if err := requireAgent(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var m *model.MailMessage
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		m, err = outbound.Cancel(tx, s.Tickets, currentUser(r), id)
		return err
	})
	if errors.Is(err, outbound.ErrNotCancellable) {
		return &apiError{status: http.StatusConflict, code: "MailNotCancellable", msg: err.Error()}
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"mail_message": presentMail(r, m)})
	return nil
}

// retryMail sends a held or failed reply again now.
func (s *Server) retryMail(w http.ResponseWriter, r *http.Request) error {
	if err := requireAgent(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var m *model.MailMessage
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		m, err = outbound.Retry(tx, currentUser(r), id, s.Now().UTC())
		return err
	})
	if errors.Is(err, outbound.ErrNotRetryable) {
		return &apiError{status: http.StatusConflict, code: "MailNotRetryable", msg: err.Error()}
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"mail_message": presentMail(r, m)})
	return nil
}
