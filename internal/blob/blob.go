// Package blob stores attachment bytes once per content, under the data dir,
// named by their SHA-256.
package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Store keeps blobs in dir/ab/abcdef….
type Store struct{ dir string }

// Open returns a store rooted at dir, creating it.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &Store{dir: dir}, nil
}

// Put copies r into the store, at most max bytes (0: no limit), and returns
// its hash and size. The file is synced before it is renamed into place, so
// a stored blob is never half-written.
func (s *Store) Put(r io.Reader, max int64) (sum string, size int64, err error) {
	tmp, err := os.CreateTemp(s.dir, ".upload-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	src := r
	if max > 0 {
		src = io.LimitReader(r, max+1)
	}
	size, err = io.Copy(io.MultiWriter(tmp, h), src)
	if err != nil {
		return "", 0, err
	}
	if max > 0 && size > max {
		return "", 0, ErrTooLarge
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, err
	}
	sum = hex.EncodeToString(h.Sum(nil))
	dst := s.path(sum)
	if _, err := os.Stat(dst); err == nil {
		return sum, size, nil // same content already stored
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", 0, err
	}
	if err := tmp.Close(); err != nil {
		return "", 0, err
	}
	return sum, size, os.Rename(tmp.Name(), dst)
}

// ErrTooLarge is returned by Put when the content exceeds the limit.
var ErrTooLarge = fmt.Errorf("content too large")

// Open opens a stored blob.
func (s *Store) Open(sum string) (*os.File, error) {
	if len(sum) != 64 {
		return nil, os.ErrNotExist
	}
	if _, err := hex.DecodeString(sum); err != nil {
		return nil, os.ErrNotExist
	}
	return os.Open(s.path(sum))
}

func (s *Store) path(sum string) string { return filepath.Join(s.dir, sum[:2], sum[2:]) }
