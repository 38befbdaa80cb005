package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// fillUsers writes n users with Japanese names and reads them back, so the
// writer's and a reader's page caches hold pages.
func fillUsers(t *testing.T, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		now := time.Now()
		for i := range n {
			u := &model.User{Name: fmt.Sprintf("記憶 花子%d", i), Email: fmt.Sprintf("kioku%d@example.jp", i), Role: model.RoleEndUser,
				Locale: "ja", TimeZone: "Asia/Tokyo", Active: true, CreatedAt: now, UpdatedAt: now, Notes: "メモリ解放の確認用のメモです。"}
			if err := tx.InsertUser(u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkUsers(t, db, n)
}

// checkUsers reads every user back by email.
func checkUsers(t *testing.T, db *store.DB, n int) {
	t.Helper()
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		for i := range n {
			u, err := tx.UserByEmail(fmt.Sprintf("kioku%d@example.jp", i))
			if err != nil {
				return fmt.Errorf("user %d: %w", i, err)
			}
			if want := fmt.Sprintf("記憶 花子%d", i); u.Name != want {
				return fmt.Errorf("user %d is %q, want %q", i, u.Name, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMemoryTrim: trimming empties the SQLite writer's page cache and drops
// the idle readers, and the desk reads and writes normally afterwards
// (PostgreSQL has nothing to trim and is unaffected).
func TestMemoryTrim(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		fillUsers(t, db, 400)
		if db.Dialect() == "sqlite" {
			if n, err := db.ReaderCacheSize(); err != nil || n != -8000 {
				t.Errorf("reader cache_size = %d, %v; want -8000 (KiB)", n, err)
			}
			before, err := db.WriterCacheUsed()
			if err != nil {
				t.Fatal(err)
			}
			if before < 100<<10 {
				t.Fatalf("writer cache holds %d bytes after 400 inserts; the test needs a filled cache", before)
			}
			if db.IdleReaders() == 0 {
				t.Fatal("no idle reader after a read")
			}
			if !db.TrimMemory() {
				t.Fatal("SQLite store has no memory trimmer")
			}
			after, err := db.WriterCacheUsed()
			if err != nil {
				t.Fatal(err)
			}
			if after > before/4 {
				t.Errorf("writer cache %d bytes after the trim, %d before: not shrunk", after, before)
			}
			if n := db.IdleReaders(); n != 0 {
				t.Errorf("%d idle readers after the trim, want 0", n)
			}
		} else if db.TrimMemory() {
			t.Error("PostgreSQL store has a memory trimmer")
		}
		checkUsers(t, db, 400)
		fillUsersMore(t, db)
	})
}

// fillUsersMore checks a write after the trim.
func fillUsersMore(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		now := time.Now()
		return tx.InsertUser(&model.User{Name: "解放後 次郎", Email: "kaihougo@example.jp", Role: model.RoleEndUser,
			Locale: "ja", TimeZone: "Asia/Tokyo", Active: true, CreatedAt: now, UpdatedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Read(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByEmail("kaihougo@example.jp")
		if err == nil && u.Name != "解放後 次郎" {
			err = fmt.Errorf("name %q", u.Name)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMemoryTrimWhenQuiet: the trimmer runs by itself once the desk goes
// quiet after some work, and not again while it stays idle.
func TestMemoryTrimWhenQuiet(t *testing.T) {
	restore := store.SetTrimWindow(100 * time.Millisecond)
	defer restore()
	db := storetest.SQLite(t)
	fillUsers(t, db, 200)
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := db.WriterCacheUsed()
		if err != nil {
			t.Fatal(err)
		}
		if db.Trims() > 0 && n <= 64<<10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no trim within 10 s of the desk going quiet: %d trims, writer cache %d bytes", db.Trims(), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	settled := db.Trims()
	time.Sleep(time.Second) // ten idle windows: nothing new to trim
	if n := db.Trims(); n > settled+1 {
		t.Errorf("%d trims on an idle desk, want it to stop after the first", n)
	}
	checkUsers(t, db, 200)
	fillUsersMore(t, db)
}
