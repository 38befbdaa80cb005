package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// Statements a PostgreSQL write queues (pipeline_postgres.go) keep the
// transaction's promises: their failure fails the write or the savepoint
// that queued them, a savepoint rolls back to itself, and a write costs
// the round trips the queue is there to save. SQLite runs each statement
// at once; the same outcomes hold there.

func pipelineUser(name, email string) *model.User {
	now := time.Now().UTC().Truncate(time.Millisecond)
	return &model.User{Name: name, Email: email, Role: model.RoleEndUser, Active: true, CreatedAt: now, UpdatedAt: now}
}

// badClock is a clock for a ticket that does not exist: its queued insert
// fails on the foreign key only when it is sent.
func badClock() *store.TicketClock {
	now := time.Now().UTC()
	return &store.TicketClock{TicketID: 987654321, Status: model.StatusOpen, StatusAt: now, NewAt: now}
}

func userExists(t *testing.T, db *store.DB, email string) bool {
	t.Helper()
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		_, err := tx.UserByEmail(email)
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

func TestQueuedFailureFailsTheWrite(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		err := db.Write(context.Background(), func(tx *store.Tx) error {
			if err := tx.InsertUser(pipelineUser("山田 太郎", "yamada@example.jp")); err != nil {
				return err
			}
			return tx.PutClock(badClock())
		})
		if err == nil {
			t.Fatal("a write whose clock has no ticket committed")
		}
		if userExists(t, db, "yamada@example.jp") {
			t.Error("the failed write's user was stored")
		}
	})
}

func TestSavepointReportsQueuedFailure(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		var spErr error
		err := db.Write(context.Background(), func(tx *store.Tx) error {
			spErr = tx.Savepoint(func() error {
				if err := tx.InsertUser(pipelineUser("佐藤 花子", "hanako@example.jp")); err != nil {
					return err
				}
				return tx.PutClock(badClock()) // queued on PostgreSQL: fails when Savepoint sends it
			})
			return tx.InsertUser(pipelineUser("鈴木 一郎", "ichiro@example.jp"))
		})
		if err != nil {
			t.Fatalf("the write after the failed savepoint: %v", err)
		}
		if spErr == nil {
			t.Error("Savepoint reported no failure")
		}
		if userExists(t, db, "hanako@example.jp") {
			t.Error("the savepoint's user survived its rollback")
		}
		if !userExists(t, db, "ichiro@example.jp") {
			t.Error("the user written after the savepoint is missing")
		}
	})
}

// An inner savepoint's release may still be queued when the outer one
// fails: the outer rollback must undo both, and nothing before it.
func TestNestedSavepointRollsBackToItsOwn(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		var innerErr error
		err := db.Write(context.Background(), func(tx *store.Tx) error {
			if err := tx.InsertUser(pipelineUser("前田 一", "maeda@example.jp")); err != nil {
				return err
			}
			outerErr := tx.Savepoint(func() error {
				if err := tx.InsertUser(pipelineUser("外側 二郎", "outer@example.jp")); err != nil {
					return err
				}
				innerErr = tx.Savepoint(func() error {
					if err := tx.InsertUser(pipelineUser("内側 三郎", "inner@example.jp")); err != nil {
						return err
					}
					// a read last: all the inner statements are sent, its
					// RELEASE waits in the queue
					_, err := tx.UserByEmail("inner@example.jp")
					return err
				})
				return errors.New("取り消し")
			})
			if outerErr == nil {
				t.Error("the outer savepoint's failure was lost")
			}
			return nil
		})
		if err != nil || innerErr != nil {
			t.Fatalf("write %v, inner savepoint %v", err, innerErr)
		}
		for email, want := range map[string]bool{"maeda@example.jp": true, "outer@example.jp": false, "inner@example.jp": false} {
			if got := userExists(t, db, email); got != want {
				t.Errorf("%s stored: %v, want %v", email, got, want)
			}
		}
	})
}

func TestReadCannotWrite(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		err := db.Read(context.Background(), func(tx *store.Tx) error {
			return tx.InsertUser(pipelineUser("読み 専用", "readonly@example.jp"))
		})
		if err == nil {
			t.Fatal("a read wrote a user")
		}
		if userExists(t, db, "readonly@example.jp") {
			t.Error("the read's user was stored")
		}
	})
}

// The round trips a PostgreSQL write and read make: what they send that
// needs no answer travels with what does.
func TestPipelinedRoundTrips(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	var trips int
	var tx0 *store.Tx
	var tk *model.Ticket
	err := db.Write(ctx, func(tx *store.Tx) error {
		tx0 = tx
		u := pipelineUser("高橋 美咲", "misaki@example.jp")
		// BEGIN travels with the user's insert (1); the email identity
		// and the user's search document wait
		if err := tx.InsertUser(u); err != nil {
			return err
		}
		tk = &model.Ticket{Subject: "配送状況の確認", Status: model.StatusNew, RequesterID: u.ID, SubmitterID: u.ID, Via: "api",
			Tags: []string{"配送", "至急"}, CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertTicket(tk); err != nil { // carries them (2); the tag rows wait
			return err
		}
		if err := tx.IndexNewTicket(tk, nil); err != nil { // waits
			return err
		}
		c := &store.TicketClock{TicketID: tk.ID, Status: tk.Status, StatusAt: now, NewAt: now}
		return tx.PutClock(c) // waits; the COMMIT carries all three (3)
	})
	if err != nil {
		t.Fatal(err)
	}
	if trips = tx0.RoundTrips(); trips != 3 {
		t.Errorf("write: %d round trips, want 3", trips)
	}
	err = db.Read(ctx, func(tx *store.Tx) error {
		tx0 = tx
		n, err := tx.CountTicketTags() // no BEGIN, no COMMIT: 1
		if err == nil && n != 2 {
			t.Errorf("%d tags, want the two the commit sent", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if trips = tx0.RoundTrips(); trips != 1 {
		t.Errorf("read: %d round trips, want 1", trips)
	}
}

// A write's read of the configuration stamp travels with its first
// statement: reading the (cached) default brand after an insert costs no
// round trip of its own.
func TestPipelinedStampRead(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	br := &model.Brand{Name: "キズナ商事", Subdomain: "kizuna", Active: true, CreatedAt: now, UpdatedAt: now}
	if err := db.Write(ctx, func(tx *store.Tx) error { return tx.InsertBrand(br) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Write(ctx, func(tx *store.Tx) error { _, err := tx.DefaultBrand(); return err }); err != nil {
		t.Fatal(err) // the brand is cached from here on
	}
	var tx0 *store.Tx
	err := db.Write(ctx, func(tx *store.Tx) error {
		tx0 = tx
		// BEGIN and the stamp go with the user's insert (1); the email
		// identity waits
		if err := tx.InsertUser(pipelineUser("伊藤 健", "ken@example.jp")); err != nil {
			return err
		}
		b, err := tx.DefaultBrand() // the stamp is known: a cache hit
		if err == nil && b.Name != "キズナ商事" {
			t.Errorf("default brand %q", b.Name)
		}
		return err // the COMMIT carries the identity and the search document (2)
	})
	if err != nil {
		t.Fatal(err)
	}
	if trips := tx0.RoundTrips(); trips != 2 {
		t.Errorf("%d round trips, want 2", trips)
	}
}

// A bulk insert inside an ordinary write (a full chunk goes through a
// prepared statement, which on PostgreSQL must run after the queue) stays
// in that write's transaction: rolled back with it, or committed whole.
func TestBulkInsideWrite(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		batch := func(prefix string) []*model.User {
			list := make([]*model.User, 600)
			for i := range list {
				list[i] = pipelineUser(fmt.Sprintf("顧客 %d号", i), fmt.Sprintf("%s%d@example.jp", prefix, i))
			}
			return list
		}
		failed := errors.New("取り消し")
		err := db.Write(context.Background(), func(tx *store.Tx) error {
			if err := tx.InsertUsersBulk(batch("gone")); err != nil {
				return err
			}
			return failed
		})
		if !errors.Is(err, failed) {
			t.Fatalf("write: %v", err)
		}
		if userExists(t, db, "gone0@example.jp") || userExists(t, db, "gone599@example.jp") {
			t.Fatal("users of a rolled-back bulk insert were stored")
		}
		err = db.Write(context.Background(), func(tx *store.Tx) error {
			if err := tx.InsertUser(pipelineUser("先頭 太郎", "first@example.jp")); err != nil {
				return err
			}
			return tx.InsertUsersBulk(batch("kept"))
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, email := range []string{"first@example.jp", "kept0@example.jp", "kept499@example.jp", "kept500@example.jp", "kept599@example.jp"} {
			if !userExists(t, db, email) {
				t.Errorf("%s was not stored", email)
			}
		}
	})
}

// A new user's email identity is queued on PostgreSQL; when its address is
// another user's secondary identity, the clash still fails the write as
// ErrConflict (at the commit that carries it) and stores nothing.
func TestQueuedIdentityConflict(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Write(ctx, func(tx *store.Tx) error {
			owner := pipelineUser("中村 恵", "megumi@example.jp")
			if err := tx.InsertUser(owner); err != nil {
				return err
			}
			now := time.Now().UTC()
			return tx.InsertIdentity(&model.Identity{UserID: owner.ID, Type: "email", Value: "sapporo-shiten@example.jp", CreatedAt: now, UpdatedAt: now})
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			return tx.InsertUser(pipelineUser("札幌 支店", "sapporo-shiten@example.jp"))
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("a user with another's identity: %v, want ErrConflict", err)
		}
		var n int64
		err = db.Read(ctx, func(tx *store.Tx) error {
			u, err := tx.UserByEmail("sapporo-shiten@example.jp")
			if err == nil && u.Name != "中村 恵" {
				t.Errorf("the address belongs to %q, want the owner", u.Name)
			}
			if err != nil {
				return err
			}
			list, err := tx.ListUsers(store.UserFilter{}, 0, 0, 10, false)
			n = int64(len(list))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%d users, want only the owner", n)
		}
	})
}

// With their ids reserved, a new audit and comment wait in the queue on
// PostgreSQL: the reservation travels with the ticket's insert, and the
// rows reach the database with their ids and links intact.
func TestReservedIDs(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Millisecond)
		var (
			tx0 *store.Tx
			tk  *model.Ticket
			au  *model.Audit
			cm  *model.Comment
		)
		err := db.Write(ctx, func(tx *store.Tx) error {
			tx0 = tx
			u := pipelineUser("小林 直子", "naoko@example.jp")
			if err := tx.InsertUser(u); err != nil { // 1
				return err
			}
			tk = &model.Ticket{Subject: "請求書の再発行", Status: model.StatusNew, RequesterID: u.ID, SubmitterID: u.ID, Via: "api", CreatedAt: now, UpdatedAt: now}
			tx.ReserveIDs("audits", "comments", "tickets") // tickets: not reservable, ignored
			if err := tx.InsertTicket(tk); err != nil {    // 2, with the reservation
				return err
			}
			au = &model.Audit{TicketID: tk.ID, AuthorID: u.ID, Via: "api", CreatedAt: now}
			if err := tx.InsertAudit(au); err != nil { // waits
				return err
			}
			cm = &model.Comment{TicketID: tk.ID, AuditID: au.ID, AuthorID: u.ID, Public: true, Body: "先月分の請求書をもう一度送ってください。", Via: "api", CreatedAt: now}
			if err := tx.InsertComment(cm); err != nil { // waits
				return err
			}
			second := &model.Audit{TicketID: tk.ID, AuthorID: u.ID, Via: "api", CreatedAt: now}
			return tx.InsertAudit(second) // none reserved: sent with its answer (3)
		})
		if err != nil {
			t.Fatal(err)
		}
		if au.ID == 0 || cm.ID == 0 || cm.AuditID != au.ID {
			t.Fatalf("audit %d, comment %d of audit %d", au.ID, cm.ID, cm.AuditID)
		}
		if trips := tx0.RoundTrips(); trips != -1 && trips != 4 {
			t.Errorf("%d round trips, want 4 (user, ticket, second audit, commit)", trips)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			cs, err := tx.Comments(tk.ID, false, 0, 10, false)
			if err != nil {
				return err
			}
			if len(cs) != 1 || cs[0].ID != cm.ID || cs[0].AuditID != au.ID || cs[0].Body != "先月分の請求書をもう一度送ってください。" {
				t.Errorf("stored comments %+v, want the one written as %d of audit %d", cs, cm.ID, au.ID)
			}
			as, err := tx.Audits(tk.ID, 0, 10, false)
			if err == nil && (len(as) != 2 || as[0].ID != au.ID) {
				t.Errorf("stored audits %+v, want %d first of two", as, au.ID)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// A row read after queued statements travels with them (one round trip)
// and decodes as database/sql would; a destination pgx does not fill the
// same way (*any) reads the row again through database/sql.
func TestPipelinedRow(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	err := db.Write(ctx, func(tx *store.Tx) error {
		u := &model.User{Name: "渡邊 𠮷男", Email: "watanabe@example.jp", Role: model.RoleEndUser, Locale: "ja", Active: true, CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertUser(u); err != nil { // BEGIN, the stamp, the insert: 1
			return err
		}
		before := tx.RoundTrips()
		got, err := tx.User(u.ID) // the identity and the search row go with it
		if err != nil {
			return err
		}
		if n := tx.RoundTrips() - before; n != 1 {
			t.Errorf("the read after queued rows took %d round trips, want 1", n)
		}
		if got.Name != "渡邊 𠮷男" || got.Email != "watanabe@example.jp" || got.Role != model.RoleEndUser || got.OrganizationID != 0 ||
			!got.CreatedAt.Equal(now) || !got.Active || got.Locale != "ja" {
			t.Errorf("read back %+v", got)
		}
		if err := tx.ExecLater("UPDATE users SET notes = ? WHERE id = ?", "電話希望", u.ID); err != nil {
			return err
		}
		before = tx.RoundTrips()
		var notes any
		if err := tx.QueryRow("SELECT notes FROM users WHERE id = ?", u.ID).Scan(&notes); err != nil {
			return err
		}
		if s, ok := notes.(string); !ok || s != "電話希望" {
			t.Errorf("notes %#v, want the string database/sql gives", notes)
		}
		if n := tx.RoundTrips() - before; n != 2 {
			t.Errorf("an *any destination took %d round trips, want 2 (read again)", n)
		}
		if err := tx.ExecLater("UPDATE users SET notes = ? WHERE id = ?", "", u.ID); err != nil {
			return err
		}
		var missing int64
		err = tx.QueryRow("SELECT id FROM users WHERE email = ?", "nobody@example.jp").Scan(&missing)
		if !errors.Is(tx.Wrap(err), store.ErrNotFound) {
			t.Errorf("no row: %v, want ErrNotFound", err)
		}
		// Several rows, one of them written by the queued statement.
		if err := tx.ExecLater("INSERT INTO user_identities (user_id, type, value, is_primary, verified, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			u.ID, "email", "watanabe.home@example.jp", false, false, now.UnixMilli(), now.UnixMilli()); err != nil {
			return err
		}
		before = tx.RoundTrips()
		ids, err := tx.Identities(u.ID)
		if err != nil {
			return err
		}
		if n := tx.RoundTrips() - before; n != 1 {
			t.Errorf("rows after a queued insert took %d round trips, want 1", n)
		}
		if len(ids) != 2 || ids[0].Value != "watanabe@example.jp" || !ids[0].Primary || ids[1].Value != "watanabe.home@example.jp" || ids[1].Primary {
			t.Errorf("identities %+v", ids)
		}
		if err := tx.ExecLater("UPDATE user_identities SET verified = ? WHERE user_id = ?", true, u.ID); err != nil {
			return err
		}
		before = tx.RoundTrips()
		values, err := tx.QueryFirstColumn("SELECT value FROM user_identities WHERE user_id = ? AND verified ORDER BY id", u.ID)
		if err != nil {
			return err
		}
		if len(values) != 2 || values[0] != "watanabe@example.jp" || values[1] != "watanabe.home@example.jp" {
			t.Errorf("values read again %#v", values)
		}
		if n := tx.RoundTrips() - before; n != 2 {
			t.Errorf("*any rows took %d round trips, want 2 (read again)", n)
		}
		// An answer too big to keep runs again and streams.
		if err := tx.ExecLater("UPDATE users SET notes = ? WHERE id = ?", "大量", u.ID); err != nil {
			return err
		}
		before = tx.RoundTrips()
		big, err := tx.QueryInt64s("SELECT n FROM generate_series(1, ?) AS n", 2500)
		if err != nil {
			return err
		}
		if len(big) != 2500 || big[0] != 1 || big[2499] != 2500 {
			t.Errorf("%d rows, first %v", len(big), big[:min(len(big), 3)])
		}
		if n := tx.RoundTrips() - before; n != 2 {
			t.Errorf("a big answer took %d round trips, want 2 (read again)", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Reads of one request share the configuration stamp the first read took
// with its statement, so a cached configuration costs them no round trip;
// a write in the request makes the next read ask again and see its change.
func TestSharedStamp(t *testing.T) {
	db := storetest.Postgres(t)
	bg := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	br := &model.Brand{Name: "絆サポート", Subdomain: "kizuna", Active: true, CreatedAt: now, UpdatedAt: now}
	if err := db.Write(bg, func(tx *store.Tx) error { return tx.InsertBrand(br) }); err != nil {
		t.Fatal(err)
	}
	brand := func(ctx context.Context) (name string, trips int) {
		t.Helper()
		err := db.Read(ctx, func(tx *store.Tx) error {
			b, err := tx.DefaultBrand()
			if err == nil {
				name = b.Name
			}
			trips = tx.RoundTrips()
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return name, trips
	}
	brand(bg) // the cache holds the brand from here on
	if _, trips := brand(bg); trips != 1 {
		t.Fatalf("a cached read alone: %d round trips, want 1 (the stamp)", trips)
	}
	ctx := store.WithSharedStamp(bg)
	err := db.Read(ctx, func(tx *store.Tx) error { // as the token lookup: the stamp goes with it
		_, err := tx.CountTicketTags()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if name, trips := brand(ctx); name != "絆サポート" || trips != 0 {
		t.Errorf("the request's next read: %q in %d round trips, want the brand in 0", name, trips)
	}
	br.Name = "絆サポートデスク"
	if err := db.Write(ctx, func(tx *store.Tx) error { return tx.UpdateBrand(br) }); err != nil {
		t.Fatal(err)
	}
	// The stamp, then the brand itself: the write changed the configuration.
	if name, trips := brand(ctx); name != "絆サポートデスク" || trips != 2 {
		t.Errorf("after the request's write: %q in %d round trips, want the new name in 2", name, trips)
	}
}
