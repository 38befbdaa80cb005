package store

import "time"

// IMAPState is how far the IMAP poller got in one inbox's mailbox.
type IMAPState struct {
	InboxID     int64
	UIDValidity uint32
	LastUID     uint32 // every message up to this UID is stored or skipped on purpose
	UpdatedAt   time.Time
}

// IMAPState returns the poller's position for an inbox, ErrNotFound before
// its first poll.
func (t *Tx) IMAPState(inboxID int64) (*IMAPState, error) {
	var s IMAPState
	var validity, last, updated int64
	err := t.queryRow("SELECT inbox_id, uidvalidity, last_uid, updated_at FROM imap_state WHERE inbox_id = ?", inboxID).
		Scan(&s.InboxID, &validity, &last, &updated)
	if err != nil {
		return nil, t.wrap(err)
	}
	s.UIDValidity, s.LastUID, s.UpdatedAt = uint32(validity), uint32(last), fromMS(updated)
	return &s, nil
}

// SaveIMAPState records the poller's position for an inbox.
func (t *Tx) SaveIMAPState(s *IMAPState) error {
	_, err := t.exec(`INSERT INTO imap_state (inbox_id, uidvalidity, last_uid, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (inbox_id) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid, updated_at = excluded.updated_at`,
		s.InboxID, int64(s.UIDValidity), int64(s.LastUID), ms(s.UpdatedAt))
	return t.wrap(err)
}
