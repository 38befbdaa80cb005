package store

import (
	"github.com/kizuna-desk/kizuna/internal/model"
)

// The inbound queue: a received mail is claimed by one worker at a time with
// a lease kept in next_attempt_at, so several nodes on one PostgreSQL never
// process the same mail at once, and a claim left by a crashed node simply
// expires. The state stays "received" while claimed, so the processor sees
// the mail as it was stored.

// DueInboundMail lists ids of received mails whose next attempt is due.
func (t *Tx) DueInboundMail(nowMS int64, limit int) ([]int64, error) {
	return queryAll(t, func(sc scanner) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	}, `SELECT id FROM mail_messages WHERE state = ? AND direction = ?
		AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT ?`, model.MailReceived, model.MailIn, nowMS, limit)
}

// ClaimInboundMail takes a due received mail until leaseUntilMS and counts
// the attempt; false when it is not due (claimed elsewhere, done, or
// waiting for its retry time).
func (t *Tx) ClaimInboundMail(id, nowMS, leaseUntilMS int64) (bool, error) {
	res, err := t.exec(`UPDATE mail_messages SET attempts = attempts + 1, next_attempt_at = ?, updated_at = ?
		WHERE id = ? AND state = ? AND direction = ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)`,
		leaseUntilMS, nowMS, id, model.MailReceived, model.MailIn, nowMS)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ExtendInboundClaim moves the lease of a mail still being processed to
// leaseUntilMS; a mail already settled is left alone.
func (t *Tx) ExtendInboundClaim(id, leaseUntilMS int64) error {
	_, err := t.exec(`UPDATE mail_messages SET next_attempt_at = ? WHERE id = ? AND state = ? AND direction = ?`,
		leaseUntilMS, id, model.MailReceived, model.MailIn)
	return err
}

// SettleInboundMail records the outcome of an attempt on a mail that is
// still received: state stays received with a retry time (retryAtMS > 0),
// or becomes state (failed, processed) for good. A mail the processor has
// already moved on is left alone.
func (t *Tx) SettleInboundMail(id int64, state, errMsg string, retryAtMS, nowMS int64) error {
	var next any
	if retryAtMS > 0 {
		next = retryAtMS
	}
	_, err := t.exec(`UPDATE mail_messages SET state = ?, error = ?, next_attempt_at = ?, updated_at = ?
		WHERE id = ? AND state = ?`, state, errMsg, next, nowMS, id, model.MailReceived)
	return err
}
