// Package blob stores attachment and raw-mail bytes once per content, named
// by their SHA-256: small ones in the database, large ones as files under
// the data dir.
package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// InlineMax is the largest blob kept in the database. Creating a file costs
// 0.3–1.5 ms of kernel time on the machines we measured (more than parsing
// and storing a whole mail), while most mails and many attachments are a
// few KB; so small blobs are rows and only large ones are files.
const InlineMax = 256 << 10

// DB keeps small blobs; the app passes the store's implementation
// (store.Blobs). Put must be durable when it returns, like a committed row.
type DB interface {
	PutBlob(ctx context.Context, sum string, data []byte) error
	// Blob returns the bytes, or an error wrapping os.ErrNotExist.
	Blob(ctx context.Context, sum string) ([]byte, error)
}

// Writer stores a small blob inside a transaction the caller already has
// open (store.TxBlobs), for callers that write a blob and the row that
// references it together: opening a second write from inside a write would
// wait forever on SQLite's single writer.
type Writer interface {
	PutBlob(ctx context.Context, sum string, data []byte) error
}

// Store keeps blobs in its DB (when set) and in dir/ab/abcdef….
type Store struct {
	dir string
	db  DB
}

// Open returns a store rooted at dir, creating it.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &Store{dir: dir}, nil
}

// UseDB keeps blobs up to InlineMax in db from now on; blobs already stored
// as files stay readable.
func (s *Store) UseDB(db DB) { s.db = db }

// File is an open blob.
type File interface {
	io.ReadSeekCloser
}

// Put copies r into the store, at most max bytes (0: no limit), and returns
// its hash and size. A file is synced before it is renamed into place, so a
// stored blob is never half-written.
func (s *Store) Put(r io.Reader, max int64) (sum string, size int64, err error) {
	var w Writer
	if s.db != nil {
		w = s.db
	}
	return s.put(w, r, max)
}

// PutIn is Put for a caller inside a write transaction: a small blob is
// written through w (that transaction), so it commits or rolls back with
// the caller's rows. Without a database (UseDB not called) it writes files
// as Put does.
func (s *Store) PutIn(w Writer, r io.Reader, max int64) (sum string, size int64, err error) {
	if s.db == nil {
		w = nil
	}
	return s.put(w, r, max)
}

func (s *Store) put(w Writer, r io.Reader, max int64) (sum string, size int64, err error) {
	if max > 0 {
		r = io.LimitReader(r, max+1)
	}
	if w != nil {
		head := make([]byte, 0, 16<<10)
		buf := bytes.NewBuffer(head)
		n, err := io.Copy(buf, io.LimitReader(r, InlineMax+1))
		if err != nil {
			return "", 0, err
		}
		if n <= InlineMax {
			if max > 0 && n > max {
				return "", 0, ErrTooLarge
			}
			h := sha256.Sum256(buf.Bytes())
			sum = hex.EncodeToString(h[:])
			if err := w.PutBlob(context.Background(), sum, buf.Bytes()); err != nil {
				return "", 0, fmt.Errorf("store blob: %w", err)
			}
			return sum, n, nil
		}
		r = io.MultiReader(buf, r)
	}
	return s.putFile(r, max)
}

func (s *Store) putFile(src io.Reader, max int64) (sum string, size int64, err error) {
	tmp, err := os.CreateTemp(s.dir, ".upload-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
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

// Open opens a stored blob; the error wraps os.ErrNotExist when there is none.
func (s *Store) Open(sum string) (File, error) {
	if len(sum) != 64 {
		return nil, os.ErrNotExist
	}
	if _, err := hex.DecodeString(sum); err != nil {
		return nil, os.ErrNotExist
	}
	if s.db != nil {
		data, err := s.db.Blob(context.Background(), sum)
		if err == nil {
			return inline{bytes.NewReader(data)}, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	return os.Open(s.path(sum))
}

type inline struct{ *bytes.Reader }

func (inline) Close() error { return nil }

func (s *Store) path(sum string) string { return filepath.Join(s.dir, sum[:2], sum[2:]) }
