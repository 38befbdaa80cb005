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

// TestInsertUserJoiningDomain: a new user without an organization joins
// the one owning their email's domain, found inside the insert on
// PostgreSQL (one round trip for both).
func TestInsertUserJoiningDomain(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		sample := &model.Organization{Name: "株式会社サンプル商事", DomainNames: []string{"sample.co.jp", "例え.jp"}, CreatedAt: now, UpdatedAt: now}
		other := &model.Organization{Name: "別会社", CreatedAt: now, UpdatedAt: now}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.InsertOrganization(sample); err != nil {
				return err
			}
			return tx.InsertOrganization(other)
		}); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name, email string
			org, want   int64
		}{
			{"山田 太郎", "Yamada@Sample.CO.JP", 0, sample.ID},
			{"鈴木 花子", "hanako@例え.jp", 0, sample.ID},
			{"佐藤 次郎", "jiro@example.jp", 0, 0},
			{"高橋 三郎", "saburo@sample.co.jp", other.ID, other.ID}, // an organization given stays
			{"電話 のみ", "", 0, 0},
		}
		for _, c := range cases {
			u := pipelineUser(c.name, c.email)
			u.OrganizationID = c.org
			err := db.Write(ctx, func(tx *store.Tx) error {
				before := tx.RoundTrips()
				if err := tx.InsertUserJoiningDomain(u); err != nil {
					return err
				}
				if trips := tx.RoundTrips() - before; before >= 0 && trips != 1 {
					t.Errorf("%s: %d round trips for the insert, want 1", c.name, trips)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if u.OrganizationID != c.want {
				t.Errorf("%s: organization %d, want %d", c.name, u.OrganizationID, c.want)
			}
			var stored *model.User
			if err := db.Read(ctx, func(tx *store.Tx) (err error) { stored, err = tx.User(u.ID); return err }); err != nil {
				t.Fatal(err)
			}
			if stored.OrganizationID != c.want || stored.Name != c.name {
				t.Errorf("%s: stored %q in organization %d, want %d", c.name, stored.Name, stored.OrganizationID, c.want)
			}
		}
		err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.InsertUserJoiningDomain(pipelineUser("山田 二郎", "yamada@sample.co.jp"))
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("a taken email: %v, want ErrConflict", err)
		}
	})
}

// TestSavepointAnswered: the savepoint and the user's insert take one
// round trip on PostgreSQL, what the insert queued is stored with the
// write, a clash of the answered insert rolls back to the savepoint, and a
// clash of a queued statement fails the whole write.
func TestSavepointAnswered(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		first := pipelineUser("森 𠮷子", "yoshiko@kizuna.example.jp")
		err := db.Write(ctx, func(tx *store.Tx) error {
			before := tx.RoundTrips()
			if err := tx.SavepointAnswered(func() error { return tx.InsertUserJoiningDomain(first) }); err != nil {
				return err
			}
			if trips := tx.RoundTrips() - before; before >= 0 && trips != 1 {
				t.Errorf("%d round trips for the savepoint and the insert, want 1", trips)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		byEmail := func(email string) (*model.User, error) {
			var u *model.User
			err := db.Read(ctx, func(tx *store.Tx) (err error) { u, err = tx.UserByEmail(email); return err })
			return u, err
		}
		if u, err := byEmail("yoshiko@kizuna.example.jp"); err != nil || u.ID != first.ID || u.Name != "森 𠮷子" {
			t.Fatalf("the user by its queued identity: %+v, %v", u, err)
		}

		// The answered insert clashes: the write goes on without it.
		err = db.Write(ctx, func(tx *store.Tx) error {
			serr := tx.SavepointAnswered(func() error {
				return tx.InsertUserJoiningDomain(pipelineUser("重複 花子", "yoshiko@kizuna.example.jp"))
			})
			if !errors.Is(serr, store.ErrConflict) {
				t.Errorf("a taken email: %v, want ErrConflict", serr)
			}
			return tx.InsertUser(pipelineUser("続き 一郎", "tsuzuki@kizuna.example.jp"))
		})
		if err != nil {
			t.Fatalf("the write after a rolled-back savepoint: %v", err)
		}
		if _, err := byEmail("tsuzuki@kizuna.example.jp"); err != nil {
			t.Fatalf("the user after the savepoint: %v", err)
		}

		// A queued statement clashes (the address is another user's
		// secondary identity): the whole write fails, nothing is stored.
		err = db.Write(ctx, func(tx *store.Tx) error {
			now := time.Now().UTC()
			return tx.InsertIdentity(&model.Identity{UserID: first.ID, Type: "email", Value: "shiten@kizuna.example.jp", CreatedAt: now, UpdatedAt: now})
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.SavepointAnswered(func() error {
				return tx.InsertUserJoiningDomain(pipelineUser("札幌 支店", "shiten@kizuna.example.jp"))
			}); err != nil {
				return err
			}
			return tx.InsertUser(pipelineUser("後続 二郎", "kouzoku@kizuna.example.jp"))
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("a queued clash: %v, want ErrConflict", err)
		}
		if u, err := byEmail("shiten@kizuna.example.jp"); err != nil || u.ID != first.ID {
			t.Errorf("the secondary address belongs to %+v (%v), want the first user", u, err)
		}
		if _, err := byEmail("kouzoku@kizuna.example.jp"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a user of the failed write: %v, want ErrNotFound", err)
		}
	})
}

// TestUserByEmailOneTrip: a known customer is found by any of their
// addresses in one round trip on PostgreSQL.
func TestUserByEmailOneTrip(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := pipelineUser("小林 𠮷太郎", "Kichitaro@Kizuna.example.jp")
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.InsertUser(u); err != nil {
				return err
			}
			now := time.Now().UTC()
			return tx.InsertIdentity(&model.Identity{UserID: u.ID, Type: "email", Value: "kobayashi@shiten.example.jp", CreatedAt: now, UpdatedAt: now})
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, email := range []string{"kichitaro@kizuna.example.jp", " KOBAYASHI@shiten.example.jp "} {
			err := db.Write(ctx, func(tx *store.Tx) error {
				before := tx.RoundTrips()
				got, err := tx.UserByEmail(email)
				if err != nil {
					return err
				}
				if trips := tx.RoundTrips() - before; before >= 0 && trips != 1 {
					t.Errorf("%s: %d round trips, want 1", email, trips)
				}
				if got.ID != u.ID || got.Name != "小林 𠮷太郎" || got.Email != "kichitaro@kizuna.example.jp" {
					t.Errorf("%s: got %+v", email, got)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			_, err := tx.UserByEmail("nobody@kizuna.example.jp")
			return err
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("an unknown address: %v, want ErrNotFound", err)
		}
	})
}
