package store

import (
	"context"
	"fmt"
	"testing"
)

func TestWrittenTable(t *testing.T) {
	for q, want := range map[string]string{
		"INSERT INTO brands (name) VALUES (?)":                       "brands",
		"\n\tinsert or replace into sla_policies(title) VALUES ($1)": "sla_policies",
		"UPDATE triggers SET title = ? WHERE id = ?":                 "triggers",
		"update or ignore business_schedules set name = ?":           "business_schedules",
		`DELETE FROM "business_holidays" WHERE id = ?`:               "business_holidays",
		"REPLACE INTO brands VALUES (?)":                             "brands",
		"SELECT * FROM brands":                                       "",
		"INSERT INTO tickets (subject) VALUES ('配送状況')":              "tickets",
		"":       "",
		"DELETE": "",
	} {
		if got := writtenTable(q); got != want {
			t.Errorf("writtenTable(%q) = %q, want %q", q, got, want)
		}
	}
}

// A value is loaded once per stamp, and again once the configuration
// changes.
func TestConfigCachedLoadsOncePerStamp(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	loads := 0
	read := func() string {
		var v any
		if err := db.Read(ctx, func(tx *Tx) error {
			var err error
			v, err = tx.ConfigCached("test.value", func() (any, error) {
				loads++
				var n int64
				err := tx.queryRow("SELECT COUNT(*) FROM sla_policies").Scan(&n)
				return n, err
			})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(v)
	}
	if read() != "0" || read() != "0" || loads != 1 {
		t.Fatalf("two reads loaded %d times, want 1", loads)
	}
	if err := db.Write(ctx, func(tx *Tx) error {
		_, err := tx.exec("INSERT INTO sla_policies (title, description, position, filter, policy_metrics, created_at, updated_at) VALUES ('至急対応', '', 1, '{}', '[]', 0, 0)")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := read(); got != "1" || loads != 2 {
		t.Fatalf("after a change: %s after %d loads, want 1 after 2", got, loads)
	}
}
