package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/webhooks"
)

// Webhooks: Zendesk's /api/v2/webhooks, admins only. Ids are strings in
// Zendesk's JSON; ours are numbers written as strings.
func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/webhooks", s.listWebhooks)
		s.handle("POST /api/v2/webhooks", s.createWebhook)
		s.handle("POST /api/v2/webhooks/test", s.testWebhook)
		s.handle("GET /api/v2/webhooks/{id}", s.showWebhook)
		s.handle("PUT /api/v2/webhooks/{id}", s.updateWebhook)
		s.handle("PATCH /api/v2/webhooks/{id}", s.updateWebhook)
		s.handle("DELETE /api/v2/webhooks/{id}", s.deleteWebhook)
		s.handle("GET /api/v2/webhooks/{id}/signing_secret", s.showSigningSecret)
		s.handle("POST /api/v2/webhooks/{id}/signing_secret", s.resetSigningSecret)
		s.handle("GET /api/v2/webhooks/{id}/invocations", s.listInvocations)
		s.handle("GET /api/v2/webhooks/{id}/invocations/{inv}/attempts", s.listInvocationAttempts)
	})
}

type webhookJSON struct {
	ID             string            `json:"id"`
	Name           string            `json:"name"`
	Description    string            `json:"description"`
	Endpoint       string            `json:"endpoint"`
	HTTPMethod     string            `json:"http_method"`
	RequestFormat  string            `json:"request_format"`
	Status         string            `json:"status"`
	Subscriptions  []string          `json:"subscriptions"`
	Authentication *webhooks.Auth    `json:"authentication,omitempty"`
	CustomHeaders  map[string]string `json:"custom_headers"`
	CreatedBy      string            `json:"created_by"`
	CreatedAt      string            `json:"created_at"`
	UpdatedAt      string            `json:"updated_at"`
}

func presentWebhook(svc *webhooks.Service, wh *store.WebhookRow) webhookJSON {
	subs, headers := wh.Subscriptions, wh.CustomHeaders
	if subs == nil {
		subs = []string{}
	}
	if headers == nil {
		headers = map[string]string{}
	}
	return webhookJSON{ID: strconv.FormatInt(wh.ID, 10), Name: wh.Name, Description: wh.Description, Endpoint: wh.Endpoint,
		HTTPMethod: wh.HTTPMethod, RequestFormat: wh.RequestFormat, Status: wh.Status, Subscriptions: subs,
		Authentication: svc.PublicAuth(wh), CustomHeaders: headers, CreatedBy: strconv.FormatInt(wh.CreatedBy, 10),
		CreatedAt: isoTime(wh.CreatedAt), UpdatedAt: isoTime(wh.UpdatedAt)}
}

func (s *Server) webhookDeps(r *http.Request) (*webhooks.Service, error) {
	if err := requireAdmin(r); err != nil {
		return nil, err
	}
	d, err := s.ruleDeps()
	if err != nil {
		return nil, err
	}
	return d.webhooks, nil
}

// listWebhooks pages by cursor (Zendesk's only style here) with
// filter[name_contains] and filter[status].
func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.webhookDeps(r)
	if err != nil {
		return err
	}
	p, err := parsePager(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.WebhookFilter{NameContains: q.Get("filter[name_contains]"), Status: q.Get("filter[status]")}
	var after int64
	if p.After != "" {
		if _, after, err = decodeCursor(p.After); err != nil {
			return err
		}
	}
	var list []*store.WebhookRow
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		list, err = tx.ListWebhooks(f, after, false, p.Size+1)
		return err
	}); err != nil {
		return err
	}
	more := len(list) > p.Size
	list = list[:min(len(list), p.Size)]
	out := make([]webhookJSON, len(list))
	for i, wh := range list {
		out[i] = presentWebhook(svc, wh)
	}
	body := map[string]any{"webhooks": out}
	p.Cursor = true
	a, b := "", ""
	if len(list) > 0 {
		a, b = encodeCursor(0, list[len(list)-1].ID), encodeCursor(0, list[0].ID)
	}
	p.cursorLinks(body, more, a, b)
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) showWebhook(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.webhookDeps(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var wh *store.WebhookRow
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		wh, err = tx.Webhook(id)
		return err
	}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"webhook": presentWebhook(svc, wh)})
	return nil
}

// webhookIn is Zendesk's webhook object in a request.
type webhookIn struct {
	Name           *string            `json:"name"`
	Description    *string            `json:"description"`
	Endpoint       *string            `json:"endpoint"`
	HTTPMethod     *string            `json:"http_method"`
	RequestFormat  *string            `json:"request_format"`
	Status         *string            `json:"status"`
	Subscriptions  *[]string          `json:"subscriptions"`
	Authentication *optAuth           `json:"authentication"`
	CustomHeaders  *map[string]string `json:"custom_headers"`
}

// optAuth tells an absent authentication (keep) from null (remove).
type optAuth struct{ V *webhooks.Auth }

func (o *optAuth) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	o.V = &webhooks.Auth{}
	return json.Unmarshal(b, o.V)
}

func (in *webhookIn) input() webhooks.Input {
	out := webhooks.Input{Name: in.Name, Description: in.Description, Endpoint: in.Endpoint, HTTPMethod: in.HTTPMethod,
		RequestFormat: in.RequestFormat, Status: in.Status, Subscriptions: in.Subscriptions, CustomHeaders: in.CustomHeaders}
	if in.Authentication != nil {
		out.Authentication = &in.Authentication.V
	}
	return out
}

func (s *Server) decodeWebhook(w http.ResponseWriter, r *http.Request) (webhooks.Input, error) {
	var body struct {
		Webhook *webhookIn `json:"webhook"`
	}
	if err := s.decode(w, r, &body); err != nil {
		return webhooks.Input{}, err
	}
	if body.Webhook == nil {
		return webhooks.Input{}, badRequest("InvalidValue", `The body must be {"webhook": {...}}. / {"webhook": {...}} の形式で送ってください。`)
	}
	return body.Webhook.input(), nil
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.webhookDeps(r)
	if err != nil {
		return err
	}
	in, err := s.decodeWebhook(w, r)
	if err != nil {
		return err
	}
	var wh *store.WebhookRow
	if err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		wh, err = svc.Create(tx, currentUser(r).ID, in)
		return err
	}); err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("%s/api/v2/webhooks/%d", baseURL(r), wh.ID))
	writeJSON(w, http.StatusCreated, map[string]any{"webhook": presentWebhook(svc, wh)})
	return nil
}

func (s *Server) updateWebhook(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.webhookDeps(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := s.decodeWebhook(w, r)
	if err != nil {
		return err
	}
	if err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		_, err := svc.Update(tx, id, in)
		return err
	}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent) // as Zendesk answers an update
	return nil
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.webhookDeps(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Store.Write(r.Context(), func(tx *store.Tx) error { return tx.DeleteWebhook(id) }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) showSigningSecret(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.webhookDeps(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var secret string
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		wh, err := tx.Webhook(id)
		if err != nil {
			return err
		}
		secret, err = svc.Secret(wh)
		return err
	}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"signing_secret": map[string]string{"algorithm": "SHA256", "secret": secret}})
	return nil
}

func (s *Server) resetSigningSecret(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.webhookDeps(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var secret string
	if err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		secret, err = svc.ResetSecret(tx, id)
		return err
	}); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"signing_secret": map[string]string{"algorithm": "SHA256", "secret": secret}})
	return nil
}
