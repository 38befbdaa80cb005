package store

import (
	"github.com/kizuna-desk/kizuna/internal/model"
)

// Outbox queries: outgoing mail rows move queued → sending → sent | failed
// (or held / cancelled) only through conditional UPDATEs, so that several
// nodes sharing one database never both take the same mail.

// OutgoingDue lists outgoing mails a worker may take now: queued ones whose
// time has come and "sending" ones whose claim went stale (the node that
// took them died).
func (t *Tx) OutgoingDue(nowMS int64, limit int) ([]*model.MailMessage, error) {
	return queryAll(t, scanMail, "SELECT "+mailCols+` FROM mail_messages
		WHERE state IN ('queued', 'sending') AND direction = 'out' AND next_attempt_at <= ?
		ORDER BY next_attempt_at, id LIMIT ?`, nowMS, limit)
}

// ClaimMail moves mail id from state `from` (with the next_attempt_at the
// caller saw) to `to`, with a new next_attempt_at, counting an attempt when
// attempt is set. It reports whether this caller won the row: a concurrent
// claimer that got there first leaves nothing to update.
func (t *Tx) ClaimMail(id int64, from string, seenNextMS int64, to string, nextMS, nowMS int64, attempt bool) (bool, error) {
	inc := 0
	if attempt {
		inc = 1
	}
	res, err := t.exec(`UPDATE mail_messages SET state = ?, next_attempt_at = ?, attempts = attempts + ?, updated_at = ?
		WHERE id = ? AND state = ? AND next_attempt_at = ?`, to, nextMS, inc, nowMS, id, from, seenNextMS)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// FinishMail records the outcome of a delivery attempt, but only while the
// row is still under the caller's claim (state sending, lease leaseMS).
func (t *Tx) FinishMail(id int64, leaseMS int64, state, errText string, nextMS, nowMS int64) (bool, error) {
	var next any // NULL: nothing more to attempt
	if nextMS != 0 {
		next = nextMS
	}
	res, err := t.exec(`UPDATE mail_messages SET state = ?, error = ?, next_attempt_at = ?, updated_at = ?
		WHERE id = ? AND state = 'sending' AND next_attempt_at = ?`, state, errText, next, nowMS, id, leaseMS)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetMailStateIf moves an outgoing mail to state `to` if it is in one of
// the states `from`; it reports whether it did.
func (t *Tx) SetMailStateIf(id int64, from []string, to string, nowMS int64) (bool, error) {
	args := append([]any{to, nowMS, id}, stringArgs(from)...)
	res, err := t.exec(`UPDATE mail_messages SET state = ?, updated_at = ? WHERE id = ? AND direction = 'out'
		AND state IN (`+placeholders(len(from))+")", args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// HoldScheduledMail holds back a ticket's scheduled replies that have not
// gone out yet (the customer wrote again first) and returns how many.
func (t *Tx) HoldScheduledMail(ticketID, nowMS int64) (int64, error) {
	res, err := t.exec(`UPDATE mail_messages SET state = 'held', updated_at = ?
		WHERE ticket_id = ? AND direction = 'out' AND state = 'queued' AND source = 'scheduled'`, nowMS, ticketID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// RequeueMail sends a held or failed outgoing mail again at nextMS, with a
// fresh count of attempts; it reports whether the mail was in such a state.
func (t *Tx) RequeueMail(id int64, nextMS, nowMS int64) (bool, error) {
	res, err := t.exec(`UPDATE mail_messages SET state = 'queued', error = '', attempts = 0, next_attempt_at = ?, updated_at = ?
		WHERE id = ? AND direction = 'out' AND state IN ('held', 'failed')`, nextMS, nowMS, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
