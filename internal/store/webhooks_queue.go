package store

import "time"

// Webhook invocation states: queued (waiting, possibly after a failed
// attempt), sending (claimed by a worker until next_attempt_at), success,
// failed (gave up, or the receiver refused for good).
const (
	InvocationQueued  = "queued"
	InvocationSending = "sending"
	InvocationSuccess = "success"
	InvocationFailed  = "failed"
)

// WebhookInvocation is one call to make to a webhook, and its outcome.
type WebhookInvocation struct {
	ID            int64
	WebhookID     int64
	TicketID      int64
	Source        string // "trigger:12", "test"
	Body          string
	State         string
	Attempts      int
	NextAttemptAt time.Time
	LastStatus    int // HTTP status of the latest attempt; 0 = none
	LastError     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// WebhookAttempt is one HTTP request made for an invocation.
type WebhookAttempt struct {
	ID           int64
	InvocationID int64
	Status       string // success, failed
	StatusCode   int
	Duration     time.Duration
	Error        string
	CompletedAt  time.Time
}

const invocationCols = "id, webhook_id, ticket_id, source, body, state, attempts, next_attempt_at, last_status, last_error, created_at, updated_at"

func scanInvocation(sc scanner) (*WebhookInvocation, error) {
	var (
		v                      WebhookInvocation
		ticket                 nullInt
		next, created, updated int64
	)
	err := sc.Scan(&v.ID, &v.WebhookID, &ticket, &v.Source, &v.Body, &v.State, &v.Attempts, &next, &v.LastStatus, &v.LastError, &created, &updated)
	v.TicketID = ticket.Int64
	v.NextAttemptAt, v.CreatedAt, v.UpdatedAt = fromMS(next), fromMS(created), fromMS(updated)
	return &v, err
}

// InsertWebhookInvocation queues a call.
func (t *Tx) InsertWebhookInvocation(v *WebhookInvocation) error {
	id, err := t.insert(`INSERT INTO webhook_invocations (webhook_id, ticket_id, source, body, state, attempts, next_attempt_at, last_status,
		last_error, created_at, updated_at) VALUES (`+placeholders(11)+")", v.WebhookID, nullID(v.TicketID), v.Source, v.Body, v.State,
		v.Attempts, ms(v.NextAttemptAt), v.LastStatus, v.LastError, ms(v.CreatedAt), ms(v.UpdatedAt))
	v.ID = id
	return err
}

// WebhookInvocation returns one invocation.
func (t *Tx) WebhookInvocation(id int64) (*WebhookInvocation, error) {
	v, err := scanInvocation(t.queryRow("SELECT "+invocationCols+" FROM webhook_invocations WHERE id = ?", id))
	return v, t.wrap(err)
}

// WebhookInvocationsDue lists calls a worker may take now: queued ones
// whose time has come and sending ones whose claim ran out (the node that
// took them died mid-delivery: they are retried, never lost).
func (t *Tx) WebhookInvocationsDue(nowMS int64, limit int) ([]*WebhookInvocation, error) {
	return queryAll(t, scanInvocation, "SELECT "+invocationCols+` FROM webhook_invocations
		WHERE state IN ('queued', 'sending') AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`, nowMS, limit)
}

// ClaimWebhookInvocation moves invocation id from the state and
// next_attempt_at the caller saw to sending until leaseMS, counting an
// attempt. Only one of several concurrent claimers wins the UPDATE.
func (t *Tx) ClaimWebhookInvocation(id int64, from string, seenNextMS, leaseMS, nowMS int64) (bool, error) {
	res, err := t.exec(`UPDATE webhook_invocations SET state = 'sending', next_attempt_at = ?, attempts = attempts + 1, updated_at = ?
		WHERE id = ? AND state = ? AND next_attempt_at = ?`, leaseMS, nowMS, id, from, seenNextMS)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// FinishWebhookInvocation records an attempt's outcome while the caller's
// claim (state sending, lease leaseMS) still holds; nextMS is the next
// attempt for state queued.
func (t *Tx) FinishWebhookInvocation(id, leaseMS int64, state string, status int, errText string, nextMS, nowMS int64) (bool, error) {
	res, err := t.exec(`UPDATE webhook_invocations SET state = ?, last_status = ?, last_error = ?, next_attempt_at = ?, updated_at = ?
		WHERE id = ? AND state = 'sending' AND next_attempt_at = ?`, state, status, errText, nextMS, nowMS, id, leaseMS)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// InsertWebhookAttempt logs one HTTP request.
func (t *Tx) InsertWebhookAttempt(a *WebhookAttempt) error {
	id, err := t.insert(`INSERT INTO webhook_attempts (invocation_id, status, status_code, duration_ms, error, completed_at)
		VALUES (?, ?, ?, ?, ?, ?)`, a.InvocationID, a.Status, a.StatusCode, a.Duration.Milliseconds(), a.Error, ms(a.CompletedAt))
	a.ID = id
	return err
}

// WebhookInvocations lists a webhook's invocations, newest first, before
// beforeID (0: from the newest).
func (t *Tx) WebhookInvocations(webhookID, beforeID int64, limit int) ([]*WebhookInvocation, error) {
	q := "SELECT " + invocationCols + " FROM webhook_invocations WHERE webhook_id = ?"
	args := []any{webhookID}
	if beforeID > 0 {
		q += " AND id < ?"
		args = append(args, beforeID)
	}
	return queryAll(t, scanInvocation, q+" ORDER BY id DESC LIMIT ?", append(args, limit)...)
}

// WebhookAttempts lists an invocation's attempts, oldest first.
func (t *Tx) WebhookAttempts(invocationID int64) ([]*WebhookAttempt, error) {
	return queryAll(t, func(sc scanner) (*WebhookAttempt, error) {
		var (
			a        WebhookAttempt
			dur, fin int64
		)
		err := sc.Scan(&a.ID, &a.InvocationID, &a.Status, &a.StatusCode, &dur, &a.Error, &fin)
		a.Duration, a.CompletedAt = time.Duration(dur)*time.Millisecond, fromMS(fin)
		return &a, err
	}, "SELECT id, invocation_id, status, status_code, duration_ms, error, completed_at FROM webhook_attempts WHERE invocation_id = ? ORDER BY id", invocationID)
}

// PruneWebhookInvocations deletes finished calls (success or failed) last
// touched before beforeMS, with their attempts, and returns how many.
func (t *Tx) PruneWebhookInvocations(beforeMS int64) (int64, error) {
	const old = "SELECT id FROM webhook_invocations WHERE state IN ('success', 'failed') AND updated_at < ?"
	if _, err := t.exec("DELETE FROM webhook_attempts WHERE invocation_id IN ("+old+")", beforeMS); err != nil {
		return 0, err
	}
	res, err := t.exec("DELETE FROM webhook_invocations WHERE state IN ('success', 'failed') AND updated_at < ?", beforeMS)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
