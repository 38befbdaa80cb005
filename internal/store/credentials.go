package store

import (
	"github.com/kizuna-desk/kizuna/internal/model"
)

// InsertAPIToken stores the hash of a new API token.
func (t *Tx) InsertAPIToken(tok *model.APIToken, hash string) error {
	id, err := t.insert("INSERT INTO api_tokens (user_id, token_hash, description, created_at) VALUES (?, ?, ?, ?)",
		tok.UserID, hash, tok.Description, ms(tok.CreatedAt))
	tok.ID = id
	return err
}

// UserByTokenHash returns the owner of an API token hash, in one query
// (every API request asks).
func (t *Tx) UserByTokenHash(hash string) (*model.User, error) {
	u, err := scanUser(t.queryRow("SELECT "+userCols+" FROM api_tokens k JOIN users u ON u.id = k.user_id WHERE k.token_hash = ?", hash))
	return u, t.wrap(err)
}

// APITokens lists a user's tokens (never the secrets).
func (t *Tx) APITokens(userID int64) ([]*model.APIToken, error) {
	return queryAll(t, func(sc scanner) (*model.APIToken, error) {
		var (
			tok     model.APIToken
			created int64
		)
		err := sc.Scan(&tok.ID, &tok.UserID, &tok.Description, &created)
		tok.CreatedAt = fromMS(created)
		return &tok, err
	}, "SELECT id, user_id, description, created_at FROM api_tokens WHERE user_id = ? ORDER BY id", userID)
}

// DeleteAPIToken revokes a token.
func (t *Tx) DeleteAPIToken(userID, id int64) error {
	res, err := t.exec("DELETE FROM api_tokens WHERE user_id = ? AND id = ?", userID, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// InsertSession stores the hash of a new sign-in session.
func (t *Tx) InsertSession(hash string, userID, createdMS, expiresMS int64, userAgent string) error {
	_, err := t.exec("INSERT INTO sessions (token_hash, user_id, created_at, expires_at, user_agent) VALUES (?, ?, ?, ?, ?)",
		hash, userID, createdMS, expiresMS, userAgent)
	return err
}

// SessionUser returns the user of an unexpired session.
func (t *Tx) SessionUser(hash string, nowMS int64) (int64, error) {
	var id int64
	err := t.queryRow("SELECT user_id FROM sessions WHERE token_hash = ? AND expires_at > ?", hash, nowMS).Scan(&id)
	return id, t.wrap(err)
}

// DeleteSession signs a session out.
func (t *Tx) DeleteSession(hash string) error {
	_, err := t.exec("DELETE FROM sessions WHERE token_hash = ?", hash)
	return err
}

// DeleteUserSessions signs a user out everywhere.
func (t *Tx) DeleteUserSessions(userID int64) error {
	_, err := t.exec("DELETE FROM sessions WHERE user_id = ?", userID)
	return err
}
