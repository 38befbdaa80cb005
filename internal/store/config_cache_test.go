package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// twoNodes opens two stores on one database, as two desk processes (or a
// server and a command-line run) would.
func twoNodes(t *testing.T, fn func(t *testing.T, a, b *store.DB)) {
	open := func(t *testing.T, url, dir string) *store.DB {
		db, err := store.Open(context.Background(), url, dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		fn(t, open(t, "", dir), open(t, "", dir))
	})
	t.Run("postgres", func(t *testing.T) {
		url := storetest.PostgresURL(t)
		fn(t, open(t, url, t.TempDir()), open(t, url, t.TempDir()))
	})
}

// The default brand is served from the configuration cache; every way the
// brands can change must show at the next read.
func TestConfigCacheSeesEveryChange(t *testing.T) {
	twoNodes(t, func(t *testing.T, a, b *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Millisecond)
		defaultName := func(db *store.DB) string {
			t.Helper()
			var name string
			if err := db.Read(ctx, func(tx *store.Tx) error {
				br, err := tx.DefaultBrand()
				if err != nil {
					return err
				}
				name = br.Name
				br.Name = "書き換え（キャッシュに残ってはいけない）" // the caller's copy
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return name
		}
		// inTx checks the default brand's name inside a transaction.
		inTx := func(tx *store.Tx, want, when string) error {
			got, err := tx.DefaultBrand()
			if err == nil && got.Name != want {
				t.Errorf("%s: %q, want %q", when, got.Name, want)
			}
			return err
		}
		rename := func(db *store.DB, br *model.Brand, name string) {
			t.Helper()
			br.Name = name
			if err := db.Write(ctx, func(tx *store.Tx) error { return tx.UpdateBrand(br) }); err != nil {
				t.Fatal(err)
			}
		}
		br := &model.Brand{Name: "キズナ商事", Subdomain: "kizuna", Active: true, CreatedAt: now, UpdatedAt: now}
		if err := a.Write(ctx, func(tx *store.Tx) error { return tx.InsertBrand(br) }); err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second read is a cache hit
			if got := defaultName(a); got != "キズナ商事" {
				t.Fatalf("default brand %q, want キズナ商事", got)
			}
		}

		rename(a, br, "株式会社キズナ") // this process
		if got := defaultName(a); got != "株式会社キズナ" {
			t.Fatalf("after a rename here: %q", got)
		}
		rename(b, br, "ｷｽﾞﾅ㈱") // another process on the same database
		if got := defaultName(a); got != "ｷｽﾞﾅ㈱" {
			t.Fatalf("after a rename by another node: %q", got)
		}

		// Within one transaction: read (caching), rename, read again.
		err := a.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.DefaultBrand(); err != nil {
				return err
			}
			br.Name = "絆サポート"
			if err := tx.UpdateBrand(br); err != nil {
				return err
			}
			return inTx(tx, "絆サポート", "own uncommitted rename")
		})
		if err != nil {
			t.Fatal(err)
		}

		// A rename rolled back after being read (and cached) is gone.
		errRollback := errors.New("取り消し")
		err = a.Write(ctx, func(tx *store.Tx) error {
			br.Name = "取り消される名前"
			if err := tx.UpdateBrand(br); err != nil {
				return err
			}
			if err := inTx(tx, "取り消される名前", "inside the write"); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("write: %v", err)
		}
		for _, db := range []*store.DB{a, b} {
			if got := defaultName(db); got != "絆サポート" {
				t.Fatalf("after the rollback: %q, want 絆サポート", got)
			}
		}

		// A savepoint rolled back after the rename undoes it for the rest
		// of the transaction.
		err = a.Write(ctx, func(tx *store.Tx) error {
			serr := tx.Savepoint(func() error {
				br.Name = "セーブポイント内の名前"
				if err := tx.UpdateBrand(br); err != nil {
					return err
				}
				if _, err := tx.DefaultBrand(); err != nil {
					return err
				}
				return errRollback
			})
			if !errors.Is(serr, errRollback) {
				return serr
			}
			return inTx(tx, "絆サポート", "after the savepoint's rollback")
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// Writes grouped into one SQLite transaction share its reading of the
// stamp: a write that renamed the brand, read it and was then rolled back
// alone must not leave its name to the next write of the group.
func TestConfigCacheGroupedRollback(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Millisecond)
		br := &model.Brand{Name: "キズナ商事", Subdomain: "kizuna", Active: true, CreatedAt: now, UpdatedAt: now}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.InsertBrand(br) }); err != nil {
			t.Fatal(err)
		}
		release := make(chan struct{})
		blocked := make(chan error)
		go func() { // holds the writer so the two writes below queue up together
			blocked <- db.Write(ctx, func(tx *store.Tx) error { <-release; return nil })
		}()
		time.Sleep(50 * time.Millisecond)
		errRollback := errors.New("取り消し")
		first := make(chan error)
		go func() {
			first <- db.Write(ctx, func(tx *store.Tx) error {
				renamed := *br
				renamed.Name = "取り消される名前"
				if err := tx.UpdateBrand(&renamed); err != nil {
					return err
				}
				if _, err := tx.DefaultBrand(); err != nil {
					return err
				}
				return errRollback
			})
		}()
		time.Sleep(30 * time.Millisecond)
		var seen string
		second := make(chan error)
		go func() {
			second <- db.Write(ctx, func(tx *store.Tx) error {
				got, err := tx.DefaultBrand()
				if err == nil {
					seen = got.Name
				}
				return err
			})
		}()
		time.Sleep(30 * time.Millisecond)
		close(release)
		if err := <-blocked; err != nil {
			t.Fatal(err)
		}
		if err := <-first; !errors.Is(err, errRollback) {
			t.Fatalf("first write: %v", err)
		}
		if err := <-second; err != nil {
			t.Fatal(err)
		}
		if seen != "キズナ商事" {
			t.Fatalf("the next write of the group saw %q, want キズナ商事", seen)
		}
	})
}

// Field definitions come from the cache as the caller's own copies, and a
// change on another node shows at the next read.
func TestConfigCacheTicketFields(t *testing.T) {
	twoNodes(t, func(t *testing.T, a, b *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Millisecond)
		f := &model.TicketField{Type: "tagger", Title: "お問い合わせ種別", Active: true, CreatedAt: now, UpdatedAt: now,
			Options: []model.FieldOption{{Name: "配送", Value: "haiso"}, {Name: "返金", Value: "henkin"}}}
		if err := a.Write(ctx, func(tx *store.Tx) error { return tx.InsertTicketField(f) }); err != nil {
			t.Fatal(err)
		}
		fields := func(db *store.DB) []*model.TicketField {
			t.Helper()
			var defs []*model.TicketField
			if err := db.Read(ctx, func(tx *store.Tx) (err error) { defs, err = tx.TicketFields(); return err }); err != nil {
				t.Fatal(err)
			}
			if len(defs) != 1 {
				t.Fatalf("%d definitions, want 1", len(defs))
			}
			return defs
		}
		got := fields(a)
		got[0].Title = "書き換え"
		got[0].Options[0].Name = "書き換え"
		again := fields(a)[0]
		if again.Title != "お問い合わせ種別" || again.Options[0].Name != "配送" {
			t.Fatalf("a caller's change reached the cache: %q %q", again.Title, again.Options[0].Name)
		}
		f.Title = "問い合わせカテゴリ"
		f.Options = append(f.Options, model.FieldOption{Name: "ｷｬﾝｾﾙ", Value: "cancel"})
		if err := b.Write(ctx, func(tx *store.Tx) error { return tx.UpdateTicketField(f) }); err != nil {
			t.Fatal(err)
		}
		if got := fields(a)[0]; got.Title != "問い合わせカテゴリ" || len(got.Options) != 3 || got.Options[2].Name != "ｷｬﾝｾﾙ" {
			t.Fatalf("after another node's change: %q %v", got.Title, got.Options)
		}
	})
}

// The triggers' cache key is the configuration stamp: it must change when
// another node adds or edits a trigger, and only then.
func TestTriggerStampFollowsOtherNodes(t *testing.T) {
	twoNodes(t, func(t *testing.T, a, b *store.DB) {
		ctx := context.Background()
		stamp := func() string {
			t.Helper()
			var s string
			if err := a.Read(ctx, func(tx *store.Tx) (err error) { s, err = tx.TriggerStamp(); return err }); err != nil {
				t.Fatal(err)
			}
			return s
		}
		before := stamp()
		if again := stamp(); again != before {
			t.Fatalf("stamp moved without a change: %s → %s", before, again)
		}
		now := time.Now().UTC().Truncate(time.Millisecond)
		tr := &store.TriggerRow{Title: "至急チケットの通知", Active: true, Position: 1, Conditions: `{"all":[]}`, Actions: `[]`, CreatedAt: now, UpdatedAt: now}
		if err := b.Write(ctx, func(tx *store.Tx) error { return tx.InsertTrigger(tr) }); err != nil {
			t.Fatal(err)
		}
		added := stamp()
		if added == before {
			t.Fatal("another node's new trigger left the stamp as it was")
		}
		tr.Title = "至急チケットの通知（改）"
		if err := b.Write(ctx, func(tx *store.Tx) error { return tx.UpdateTrigger(tr) }); err != nil {
			t.Fatal(err)
		}
		if stamp() == added {
			t.Fatal("another node's edit left the stamp as it was")
		}
	})
}
