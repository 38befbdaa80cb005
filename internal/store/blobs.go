package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"
)

// Blobs keeps small content-addressed blobs in the database for
// internal/blob (its DB interface).
type Blobs struct{ DB Store }

// PutBlob stores data under its hash; storing the same content again is a
// no-op.
func (b Blobs) PutBlob(ctx context.Context, sum string, data []byte) error {
	return b.DB.Write(ctx, func(tx *Tx) error { return TxBlobs{tx}.PutBlob(ctx, sum, data) })
}

// TxBlobs writes blobs inside an open write transaction (blob.Writer).
type TxBlobs struct{ Tx *Tx }

// PutBlob stores data under its hash in the transaction.
func (b TxBlobs) PutBlob(_ context.Context, sum string, data []byte) error {
	_, err := b.Tx.exec(`INSERT INTO blobs (sha256, size, data, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
		sum, len(data), data, ms(time.Now()))
	return err
}

// Blob returns the blob's bytes, or an error wrapping os.ErrNotExist.
func (b Blobs) Blob(ctx context.Context, sum string) ([]byte, error) {
	var data []byte
	err := b.DB.Read(ctx, func(tx *Tx) error {
		return tx.queryRow(`SELECT data FROM blobs WHERE sha256 = ?`, sum).Scan(&data)
	})
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("blob %s: %w", sum, os.ErrNotExist)
	}
	return data, err
}
