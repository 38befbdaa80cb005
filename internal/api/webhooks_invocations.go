package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/webhooks"
)

type invocationJSON struct {
	ID                     string  `json:"id"`
	WebhookID              string  `json:"webhook_id"`
	TicketID               *int64  `json:"ticket_id"`
	Source                 string  `json:"source"`
	Status                 string  `json:"status"`
	LatestCompletionStatus *int    `json:"latest_completion_status"`
	Attempts               int     `json:"attempts"`
	LastError              string  `json:"last_error,omitempty"`
	NextAttemptAt          *string `json:"next_attempt_at"`
	CreatedAt              string  `json:"created_at"`
	UpdatedAt              string  `json:"updated_at"`
}

func presentInvocation(v *store.WebhookInvocation) invocationJSON {
	out := invocationJSON{ID: strconv.FormatInt(v.ID, 10), WebhookID: strconv.FormatInt(v.WebhookID, 10), TicketID: idPtr(v.TicketID),
		Source: v.Source, Status: v.State, Attempts: v.Attempts, LastError: v.LastError, CreatedAt: isoTime(v.CreatedAt), UpdatedAt: isoTime(v.UpdatedAt)}
	if v.LastStatus != 0 {
		st := v.LastStatus
		out.LatestCompletionStatus = &st
	}
	if v.State == store.InvocationQueued {
		out.NextAttemptAt = timePtr(v.NextAttemptAt)
	}
	return out
}

// listInvocations is the delivery log of a webhook, newest first, by
// cursor; filter[status] narrows it (queued, sending, success, failed).
func (s *Server) listInvocations(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.webhookDeps(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := parsePager(r)
	if err != nil {
		return err
	}
	var before int64
	if p.After != "" {
		if _, before, err = decodeCursor(p.After); err != nil {
			return err
		}
	}
	status := r.URL.Query().Get("filter[status]")
	var list []*store.WebhookInvocation
	more := false
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		if _, err := tx.Webhook(id); err != nil {
			return err
		}
		// Filtering by status is done here over bounded batches: the log
		// of one webhook is read newest first and rarely filtered.
		for len(list) <= p.Size {
			batch, err := tx.WebhookInvocations(id, before, 200)
			if err != nil {
				return err
			}
			for _, v := range batch {
				if status == "" || v.State == status {
					list = append(list, v)
				}
			}
			if len(batch) < 200 {
				break
			}
			before = batch[len(batch)-1].ID
		}
		return nil
	}); err != nil {
		return err
	}
	if len(list) > p.Size {
		list, more = list[:p.Size], true
	}
	out := make([]invocationJSON, len(list))
	for i, v := range list {
		out[i] = presentInvocation(v)
	}
	body := map[string]any{"invocations": out}
	p.Cursor = true
	a, b := "", ""
	if len(list) > 0 {
		a, b = encodeCursor(0, list[len(list)-1].ID), encodeCursor(0, list[0].ID)
	}
	p.cursorLinks(body, more, a, b)
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) listInvocationAttempts(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.webhookDeps(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	invID, err := pathID(r, "inv")
	if err != nil {
		return err
	}
	var attempts []*store.WebhookAttempt
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		v, err := tx.WebhookInvocation(invID)
		if err != nil {
			return err
		}
		if v.WebhookID != id {
			return store.ErrNotFound
		}
		attempts, err = tx.WebhookAttempts(invID)
		return err
	}); err != nil {
		return err
	}
	out := make([]map[string]any, len(attempts))
	for i, a := range attempts {
		out[i] = map[string]any{"id": strconv.FormatInt(a.ID, 10), "invocation_id": strconv.FormatInt(a.InvocationID, 10),
			"status": a.Status, "status_code": a.StatusCode, "duration": a.Duration.Milliseconds(), "error": a.Error,
			"completed_at": isoTime(a.CompletedAt)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"attempts": out})
	return nil
}

// testWebhook sends one request now and returns the receiver's answer, as
// Zendesk's POST /api/v2/webhooks/test: either ?webhook_id= (that webhook's
// settings and secret) or {"request": {endpoint, http_method, …}} for one
// not saved yet (signed with Zendesk's test secret). The payload is
// {"request": {"payload": "…"}}.
func (s *Server) testWebhook(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.webhookDeps(r)
	if err != nil {
		return err
	}
	var body struct {
		Request *struct {
			Endpoint       *string           `json:"endpoint"`
			HTTPMethod     *string           `json:"http_method"`
			RequestFormat  *string           `json:"request_format"`
			Authentication *webhooks.Auth    `json:"authentication"`
			Headers        map[string]string `json:"headers"`
			Payload        string            `json:"payload"`
		} `json:"request"`
		WebhookID optInt `json:"webhook_id"`
	}
	if err := s.decode(w, r, &body); err != nil {
		return err
	}
	if body.Request == nil {
		return badRequest("InvalidValue", `The body must be {"request": {...}}. / {"request": {...}} の形式で送ってください。`)
	}
	req := body.Request
	id := body.WebhookID.V
	if v := r.URL.Query().Get("webhook_id"); v != "" {
		if id, err = strconv.ParseInt(v, 10, 64); err != nil {
			return badRequest("InvalidParameter", "webhook_id must be a webhook id. / webhook_id が正しくありません。")
		}
	}
	var target webhooks.Target
	if id != 0 {
		if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
			wh, err := tx.Webhook(id)
			if err != nil {
				return err
			}
			target, err = svc.Target(wh)
			return err
		}); err != nil {
			return err
		}
	} else {
		in := webhooks.Input{Name: strPtrAlways("test"), Endpoint: req.Endpoint, HTTPMethod: req.HTTPMethod, RequestFormat: req.RequestFormat,
			CustomHeaders: &req.Headers}
		if req.Endpoint == nil {
			in.Endpoint = strPtrAlways("")
		}
		if req.Headers == nil {
			in.CustomHeaders = nil
		}
		t, err := svc.Preview(in, req.Authentication)
		if err != nil {
			return err
		}
		target = t
	}
	if req.Endpoint != nil && id != 0 {
		target.Endpoint = *req.Endpoint
	}
	if req.HTTPMethod != nil && id != 0 {
		target.Method = strings.ToUpper(*req.HTTPMethod)
	}
	res := svc.Send(r.Context(), target, []byte(req.Payload), "")
	if res.Err != nil {
		writeJSON(w, http.StatusOK, map[string]any{"response": map[string]any{"status": 0, "headers": []any{}, "body": "", "error": res.Err.Error()}})
		return nil
	}
	headers := []map[string]string{}
	for k, vs := range res.Header {
		for _, v := range vs {
			headers = append(headers, map[string]string{"key": k, "value": v})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"response": map[string]any{"status": res.Status, "headers": headers, "body": res.Body}})
	return nil
}

func strPtrAlways(s string) *string { return &s }
