package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// SQLite only: commits are copied from the write-ahead log into the
// database file in the background, not by the commit that crosses
// SQLite's threshold. A copy of the database file alone (without its log)
// must hold every committed write soon after, though the writer's own
// threshold is far off.
func TestBackgroundCheckpoint(t *testing.T) {
	defer store.SetCheckpointDelay(5 * time.Millisecond)()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const n = 40
	for i := range n {
		err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.InsertUser(&model.User{Name: fmt.Sprintf("控え 太郎%d", i), Email: fmt.Sprintf("ckpt-%d@example.jp", i),
				Role: model.RoleEndUser, CreatedAt: time.Now(), UpdatedAt: time.Now()})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	inFile := func() int {
		copyPath := filepath.Join(t.TempDir(), "copy.db")
		copyFile(t, filepath.Join(dir, "kizuna.db"), copyPath)
		plain, err := sql.Open("sqlite", "file:"+copyPath+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer plain.Close()
		var got int
		if err := plain.QueryRow("SELECT COUNT(*) FROM users WHERE email LIKE 'ckpt-%'").Scan(&got); err != nil {
			return -1 // not even the schema is in the file yet
		}
		return got
	}
	deadline := time.Now().Add(5 * time.Second)
	for got := inFile(); got != n; got = inFile() {
		if time.Now().After(deadline) {
			t.Fatalf("the database file holds %d of %d committed users after 5 s (%d background checkpoints)", got, n, db.Checkpoints())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if db.Checkpoints() == 0 {
		t.Fatal("no background checkpoint ran")
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
