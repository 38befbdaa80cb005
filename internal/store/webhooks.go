package store

import (
	"strings"
	"time"
)

// WebhookRow is a stored webhook. AuthData and SigningSecret are sealed
// with the app's secrets box by the webhooks package; the store only keeps
// the ciphertext.
type WebhookRow struct {
	ID            int64
	Name          string
	Description   string
	Endpoint      string
	HTTPMethod    string
	RequestFormat string
	Status        string
	Subscriptions []string
	AuthType      string // "", basic_auth, bearer_token, api_key
	AuthData      string // sealed JSON
	CustomHeaders map[string]string
	SigningSecret string // sealed
	CreatedBy     int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

const webhookCols = `id, name, description, endpoint, http_method, request_format, status, subscriptions, auth_type, auth_data,
	custom_headers, signing_secret, created_by, created_at, updated_at`

func scanWebhook(sc scanner) (*WebhookRow, error) {
	var (
		w                      WebhookRow
		subs, headers          string
		created, updated, crby int64
	)
	err := sc.Scan(&w.ID, &w.Name, &w.Description, &w.Endpoint, &w.HTTPMethod, &w.RequestFormat, &w.Status, &subs, &w.AuthType,
		&w.AuthData, &headers, &w.SigningSecret, &crby, &created, &updated)
	w.Subscriptions, w.CustomHeaders = fromJSON[[]string](subs), fromJSON[map[string]string](headers)
	w.CreatedBy, w.CreatedAt, w.UpdatedAt = crby, fromMS(created), fromMS(updated)
	return &w, err
}

func webhookArgs(w *WebhookRow) []any {
	subs := w.Subscriptions
	if subs == nil {
		subs = []string{}
	}
	headers := w.CustomHeaders
	if headers == nil {
		headers = map[string]string{}
	}
	return []any{w.Name, w.Description, w.Endpoint, w.HTTPMethod, w.RequestFormat, w.Status, jsonText(subs), w.AuthType, w.AuthData,
		jsonText(headers), w.SigningSecret}
}

// InsertWebhook stores a new webhook.
func (t *Tx) InsertWebhook(w *WebhookRow) error {
	args := append(webhookArgs(w), w.CreatedBy, ms(w.CreatedAt), ms(w.UpdatedAt))
	id, err := t.insert(`INSERT INTO webhooks (name, description, endpoint, http_method, request_format, status, subscriptions, auth_type,
		auth_data, custom_headers, signing_secret, created_by, created_at, updated_at) VALUES (`+placeholders(14)+")", args...)
	w.ID = id
	return err
}

// UpdateWebhook rewrites a webhook.
func (t *Tx) UpdateWebhook(w *WebhookRow) error {
	args := append(webhookArgs(w), ms(w.UpdatedAt), w.ID)
	return t.affectOne(`UPDATE webhooks SET name = ?, description = ?, endpoint = ?, http_method = ?, request_format = ?, status = ?,
		subscriptions = ?, auth_type = ?, auth_data = ?, custom_headers = ?, signing_secret = ?, updated_at = ? WHERE id = ?`, args...)
}

// DeleteWebhook removes a webhook with its queue and log.
func (t *Tx) DeleteWebhook(id int64) error {
	if _, err := t.exec("DELETE FROM webhook_attempts WHERE invocation_id IN (SELECT id FROM webhook_invocations WHERE webhook_id = ?)", id); err != nil {
		return err
	}
	if _, err := t.exec("DELETE FROM webhook_invocations WHERE webhook_id = ?", id); err != nil {
		return err
	}
	return t.affectOne("DELETE FROM webhooks WHERE id = ?", id)
}

// Webhook returns one webhook.
func (t *Tx) Webhook(id int64) (*WebhookRow, error) {
	w, err := scanWebhook(t.queryRow("SELECT "+webhookCols+" FROM webhooks WHERE id = ?", id))
	return w, t.wrap(err)
}

// WebhookFilter selects webhooks (Zendesk's filter[name_contains], filter[status]).
type WebhookFilter struct {
	NameContains string
	Status       string
}

func webhookWhere(f WebhookFilter) *where {
	w := &where{}
	if s := strings.TrimSpace(f.NameContains); s != "" {
		w.add("LOWER(name) LIKE ? ESCAPE '\\'", "%"+likeEscape(strings.ToLower(s))+"%")
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	return w
}

// ListWebhooks returns webhooks after afterID (by id, or by name when
// byName), at most limit.
func (t *Tx) ListWebhooks(f WebhookFilter, afterID int64, desc bool, limit int) ([]*WebhookRow, error) {
	w := webhookWhere(f)
	order := " ORDER BY id"
	if desc {
		order += " DESC"
		if afterID > 0 {
			w.add("id < ?", afterID)
		}
	} else if afterID > 0 {
		w.add("id > ?", afterID)
	}
	return queryAll(t, scanWebhook, "SELECT "+webhookCols+" FROM webhooks"+w.sql()+order+" LIMIT ?", append(w.args, limit)...)
}

// CountWebhooks counts the webhooks f selects.
func (t *Tx) CountWebhooks(f WebhookFilter) (int64, error) {
	w := webhookWhere(f)
	return t.count("SELECT COUNT(*) FROM webhooks"+w.sql(), w.args...)
}
