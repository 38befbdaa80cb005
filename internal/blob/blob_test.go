package blob_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/blob"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// Small blobs go to the database, large ones to files; both read back
// byte for byte (Japanese text in ISO-2022-JP-like raw bytes included), the
// same content is stored once, and the size limit holds on both paths.
func TestInlineAndFileBlobs(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		dir := t.TempDir()
		bs, err := blob.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		bs.UseDB(store.Blobs{DB: db})
		small := []byte("Subject: =?ISO-2022-JP?B?GyRCR1tBdxsoQg==?=\r\n\r\n\x1b$BG[Aw>u67$r65$($F$/$@$5$$\x1b(B\r\n配送状況を教えてください ①㈱髙ｶﾀｶﾅ")
		large := bytes.Repeat([]byte("大きな添付ファイル "), blob.InlineMax/10)
		for _, c := range []struct {
			name   string
			data   []byte
			inFile bool
		}{{"small", small, false}, {"large", large, true}} {
			sum, size, err := bs.Put(bytes.NewReader(c.data), 0)
			if err != nil {
				t.Fatal(err)
			}
			want := sha256.Sum256(c.data)
			if sum != hex.EncodeToString(want[:]) || size != int64(len(c.data)) {
				t.Fatalf("%s: sum %s size %d", c.name, sum, size)
			}
			if _, _, err := bs.Put(bytes.NewReader(c.data), 0); err != nil { // stored once, no error
				t.Fatalf("%s again: %v", c.name, err)
			}
			_, statErr := os.Stat(filepath.Join(dir, sum[:2], sum[2:]))
			if (statErr == nil) != c.inFile {
				t.Fatalf("%s: file exists=%v, want %v", c.name, statErr == nil, c.inFile)
			}
			f, err := bs.Open(sum)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(f)
			f.Close()
			if !bytes.Equal(got, c.data) {
				t.Fatalf("%s: read back %d bytes, want %d", c.name, len(got), len(c.data))
			}
			if _, _, err := bs.Put(bytes.NewReader(c.data), int64(len(c.data)-1)); !errors.Is(err, blob.ErrTooLarge) {
				t.Fatalf("%s over the limit: %v", c.name, err)
			}
		}
		if _, err := bs.Open(strings.Repeat("0", 64)); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("missing blob: %v", err)
		}
	})
}
