package store

import "time"

// WebSession is one browser sign-in of the web UI (table web_sessions).
type WebSession struct {
	ID         int64
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	Remember   bool
	UserAgent  string
}

const webSessionCols = "id, user_id, created_at, last_seen_at, expires_at, remember, user_agent"

func scanWebSession(sc scanner) (*WebSession, error) {
	var (
		s                     WebSession
		created, seen, expire int64
	)
	err := sc.Scan(&s.ID, &s.UserID, &created, &seen, &expire, &s.Remember, &s.UserAgent)
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMS(created), fromMS(seen), fromMS(expire)
	return &s, err
}

// InsertWebSession stores a new sign-in under the hash of its secret id.
func (t *Tx) InsertWebSession(s *WebSession, hash string) error {
	id, err := t.insert("INSERT INTO web_sessions (token_hash, user_id, created_at, last_seen_at, expires_at, remember, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)",
		hash, s.UserID, ms(s.CreatedAt), ms(s.LastSeenAt), ms(s.ExpiresAt), s.Remember, s.UserAgent)
	s.ID = id
	return err
}

// WebSessionByHash returns the live session with this hash.
func (t *Tx) WebSessionByHash(hash string, now time.Time) (*WebSession, error) {
	s, err := scanWebSession(t.queryRow("SELECT "+webSessionCols+" FROM web_sessions WHERE token_hash = ? AND expires_at > ?", hash, ms(now)))
	return s, t.wrap(err)
}

// TouchWebSession records activity and moves the expiry (idle timeout).
func (t *Tx) TouchWebSession(id int64, seen, expires time.Time) error {
	_, err := t.exec("UPDATE web_sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?", ms(seen), ms(expires), id)
	return err
}

// WebSessions lists a user's live sessions, most recently used first.
func (t *Tx) WebSessions(userID int64, now time.Time) ([]*WebSession, error) {
	return queryAll(t, scanWebSession, "SELECT "+webSessionCols+" FROM web_sessions WHERE user_id = ? AND expires_at > ? ORDER BY last_seen_at DESC, id DESC", userID, ms(now))
}

// DeleteWebSession signs one of the user's sessions out.
func (t *Tx) DeleteWebSession(userID, id int64) error {
	return t.affectOne("DELETE FROM web_sessions WHERE user_id = ? AND id = ?", userID, id)
}

// DeleteWebSessionsExcept signs the user out everywhere but keepID (0: everywhere).
func (t *Tx) DeleteWebSessionsExcept(userID, keepID int64) error {
	_, err := t.exec("DELETE FROM web_sessions WHERE user_id = ? AND id <> ?", userID, keepID)
	return err
}

// PurgeWebSessions drops expired sessions and reset links.
func (t *Tx) PurgeWebSessions(now time.Time) error {
	if _, err := t.exec("DELETE FROM web_sessions WHERE expires_at <= ?", ms(now)); err != nil {
		return err
	}
	_, err := t.exec("DELETE FROM web_password_resets WHERE expires_at <= ?", ms(now))
	return err
}

// InsertPasswordReset stores the hash of a reset link's token.
func (t *Tx) InsertPasswordReset(hash string, userID int64, created, expires time.Time) error {
	_, err := t.exec("INSERT INTO web_password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
		hash, userID, ms(created), ms(expires))
	return err
}

// PasswordResetUser returns the user of an unused, unexpired reset token.
func (t *Tx) PasswordResetUser(hash string, now time.Time) (int64, error) {
	var id int64
	err := t.queryRow("SELECT user_id FROM web_password_resets WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?", hash, ms(now)).Scan(&id)
	return id, t.wrap(err)
}

// UsePasswordReset marks a token used; a second use finds nothing.
func (t *Tx) UsePasswordReset(hash string, now time.Time) error {
	return t.affectOne("UPDATE web_password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL", ms(now), hash)
}

// CountRecentPasswordResets counts reset links sent to a user since a time,
// to limit how many mails one address can be made to receive.
func (t *Tx) CountRecentPasswordResets(userID int64, since time.Time) (int64, error) {
	return t.count("SELECT COUNT(*) FROM web_password_resets WHERE user_id = ? AND created_at >= ?", userID, ms(since))
}
