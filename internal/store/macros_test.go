package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

func TestMacrosStore(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)
		m := &store.Macro{Title: "配送::配送遅延のお詫び", Description: "①お詫び", Active: true, Position: 3,
			Actions:         []store.MacroAction{{Field: "status", Value: "pending"}, {Field: "comment_value", Value: []any{"channel:all", "{{ticket.requester.name}} 様"}}},
			RestrictionType: "Group", RestrictionIDs: []int64{1, 2}, SearchText: "配送", CreatedAt: now, UpdatedAt: now}
		other := &store.Macro{Title: "あいさつ", Active: false, Position: 1, Actions: []store.MacroAction{{Field: "status", Value: "open"}}, CreatedAt: now, UpdatedAt: now}
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.InsertMacro(m); err != nil {
				return err
			}
			return tx.InsertMacro(other)
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			got, err := tx.Macro(m.ID)
			if err != nil {
				return err
			}
			if got.Title != m.Title || got.Description != "①お詫び" || !got.Active || got.Position != 3 || got.RestrictionType != "Group" ||
				len(got.RestrictionIDs) != 2 || len(got.Actions) != 2 || got.Actions[0].Value != "pending" || !got.CreatedAt.Equal(now) {
				t.Errorf("read back %+v", got)
			}
			if pair, ok := got.Actions[1].Value.([]any); !ok || pair[1] != "{{ticket.requester.name}} 様" {
				t.Errorf("comment action %#v", got.Actions[1].Value)
			}
			all, err := tx.Macros(store.MacroFilter{})
			if err != nil || len(all) != 2 || all[0].ID != other.ID {
				t.Errorf("Macros(nil) = %v, %v (want position order)", all, err)
			}
			active := true
			if list, err := tx.Macros(store.MacroFilter{Active: &active}); err != nil || len(list) != 1 || list[0].ID != m.ID {
				t.Errorf("Macros(active) = %v, %v", list, err)
			}
			// Text filters are substrings; LIKE wildcards in the words are literal.
			for words, want := range map[string]int{"配送": 1, "送": 1, "%": 0, "_": 0, "配送 x": 0} {
				list, err := tx.Macros(store.MacroFilter{Contains: strings.Fields(words)})
				if err != nil || len(list) != want {
					t.Errorf("Contains %q = %d macros, %v; want %d", words, len(list), err, want)
				}
			}
			if max, err := tx.MaxMacroPosition(); err != nil || max != 3 {
				t.Errorf("MaxMacroPosition = %d, %v", max, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		// Uses: two now, 3 hours, 25 hours, 3 days, 8 days, 20 days and 40 days ago.
		err = db.Write(ctx, func(tx *store.Tx) error {
			for _, at := range []time.Time{now.Add(-40 * 24 * time.Hour), now, now, now.Add(-3 * time.Hour), now.Add(-72 * time.Hour), now.Add(-8 * 24 * time.Hour), now.Add(-25 * time.Hour), now.Add(-20 * 24 * time.Hour)} {
				if err := tx.RecordMacroUse(m.ID, at); err != nil {
					return err
				}
			}
			return tx.RecordMacroUse(other.ID, now.Add(-30*time.Minute))
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			u, err := tx.MacroUsages(now)
			if err != nil {
				return err
			}
			if got, want := u[m.ID], (store.MacroUsage{H1: 2, H24: 3, D7: 5, D30: 7}); got != want {
				t.Errorf("usage = %+v, want %+v", got, want)
			}
			if got := u[other.ID]; got.H1 != 1 || got.D30 != 1 {
				t.Errorf("other usage = %+v", got)
			}
			// An hour later the current-hour uses still count in usage_1h (it spans the previous clock hour).
			u, err = tx.MacroUsages(now.Add(time.Hour))
			if err != nil {
				return err
			}
			if u[m.ID].H1 != 2 {
				t.Errorf("usage_1h an hour later = %d", u[m.ID].H1)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		m.Title, m.Active, m.UpdatedAt = "配送::お詫び（改）", false, now.Add(time.Minute)
		err = db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.UpdateMacro(m); err != nil {
				return err
			}
			return tx.DeleteMacro(other.ID)
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			if got, err := tx.Macro(m.ID); err != nil || got.Title != "配送::お詫び（改）" || got.Active {
				t.Errorf("after update %+v %v", got, err)
			}
			if _, err := tx.Macro(other.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("deleted macro: %v", err)
			}
			u, err := tx.MacroUsages(now)
			if _, ok := u[other.ID]; ok || err != nil {
				t.Errorf("usage of a deleted macro remains: %v %v", u, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error { return tx.DeleteMacro(other.ID) })
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleting twice: %v", err)
		}
	})
}
