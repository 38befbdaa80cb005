// Package auth signs people and programs in: API tokens, passwords and
// browser sessions. Secrets are stored only as hashes.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// ErrBadCredentials: the secret does not match any user.
var ErrBadCredentials = errors.New("couldn't authenticate you")

// SessionTTL is how long a browser stays signed in ("remember me" extends it).
const (
	SessionTTL         = 12 * time.Hour
	RememberSessionTTL = 30 * 24 * time.Hour
)

// Service checks credentials against the store.
type Service struct {
	Store  store.Store
	Now    func() time.Time
	tokens tokenCache // see token_cache.go
}

// New returns a service over st.
func New(st store.Store) *Service { return &Service{Store: st, Now: time.Now} }

// NewSecret returns a random URL-safe secret of 32 bytes.
func NewSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // the OS has no randomness: nothing is safe to do
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// HashSecret hashes a high-entropy secret (token, session id). SHA-256 is
// enough for random 256-bit secrets and is fast on every request; bcrypt is
// only for passwords people choose.
func HashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// PasswordCost is bcrypt's work factor for new password hashes. Tests lower
// it (apptest); production keeps bcrypt's default.
var PasswordCost = bcrypt.DefaultCost

// HashPassword hashes a password a person chose.
func HashPassword(pw string) (string, error) {
	b, err := bcrypt.GenerateFromPassword([]byte(pw), PasswordCost)
	return string(b), err
}

// CreateToken makes a new API token for the user with this email and
// returns the secret, shown once.
func (s *Service) CreateToken(ctx context.Context, email, description string) (string, error) {
	secret := NewSecret()
	err := s.Store.Write(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByEmail(email)
		if err != nil {
			return err
		}
		return tx.InsertAPIToken(&model.APIToken{UserID: u.ID, Description: description, CreatedAt: s.Now()}, HashSecret(secret))
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// ByToken returns the active user owning an API token. email, when given
// (Basic "email/token:TOKEN"), must be that user's.
func (s *Service) ByToken(ctx context.Context, email, token string) (*model.User, error) {
	hash := HashSecret(token)
	version, now := s.Store.CredentialsVersion(), s.Now()
	if u := s.tokens.get(hash, version, now); u != nil {
		return s.check(u, nil, email)
	}
	var u *model.User
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		u, err = tx.UserByTokenHash(hash)
		return err
	})
	if err == nil {
		s.tokens.put(hash, u, version, now)
	}
	return s.check(u, err, email)
}

// ByPassword returns the active user with this email and password.
func (s *Service) ByPassword(ctx context.Context, email, password string) (*model.User, error) {
	var u *model.User
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		u, err = tx.UserByEmail(email)
		return err
	})
	if err != nil {
		// Spend the same time as a real check so timing does not reveal
		// which emails exist.
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return nil, ErrBadCredentials
	}
	if u.PasswordHash == "" || bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		return nil, ErrBadCredentials
	}
	return s.check(u, nil, "")
}

var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("kizuna-dummy"), bcrypt.DefaultCost)

// CreateSession signs a user in from a browser and returns the cookie value.
func (s *Service) CreateSession(ctx context.Context, userID int64, remember bool, userAgent string) (string, time.Time, error) {
	secret := NewSecret()
	now := s.Now()
	ttl := SessionTTL
	if remember {
		ttl = RememberSessionTTL
	}
	exp := now.Add(ttl)
	err := s.Store.Write(ctx, func(tx *store.Tx) error {
		return tx.InsertSession(HashSecret(secret), userID, now.UnixMilli(), exp.UnixMilli(), userAgent)
	})
	return secret, exp, err
}

// BySession returns the user of a live session cookie.
func (s *Service) BySession(ctx context.Context, secret string) (*model.User, error) {
	var u *model.User
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		id, err := tx.SessionUser(HashSecret(secret), s.Now().UnixMilli())
		if err != nil {
			return err
		}
		u, err = tx.User(id)
		return err
	})
	return s.check(u, err, "")
}

// EndSession signs a browser session out.
func (s *Service) EndSession(ctx context.Context, secret string) error {
	return s.Store.Write(ctx, func(tx *store.Tx) error { return tx.DeleteSession(HashSecret(secret)) })
}

func (s *Service) check(u *model.User, err error, email string) (*model.User, error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if !u.Active || u.Suspended || (email != "" && !strings.EqualFold(email, u.Email)) {
		return nil, ErrBadCredentials
	}
	return u, nil
}
