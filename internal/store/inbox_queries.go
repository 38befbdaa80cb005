package store

// InboxMailCount counts the mails (in and out) recorded for an inbox.
func (t *Tx) InboxMailCount(inboxID int64) (int64, error) {
	return t.count("SELECT COUNT(*) FROM mail_messages WHERE inbox_id = ?", inboxID)
}
