package views_test

import (
	"context"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/views"
)

// TestConditionFieldsCompile: every field and operator the settings page
// offers compiles in the view query, on both databases; every listed
// column is one a view may show.
func TestConditionFieldsCompile(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		err := db.Read(context.Background(), func(tx *store.Tx) error {
			for _, f := range views.ConditionFields() {
				value := "1"
				for _, v := range f.Values {
					if v != "" {
						value = v
						break
					}
				}
				if f.Field == "current_tags" {
					value = "vip"
				}
				for _, op := range f.Operators {
					value := value
					if f.Field == "sla_at_risk" && op == "less_than" {
						value = "2" // hours; the suggestions are for "is"
					}
					c := store.ViewConditions{All: []store.ViewCondition{{Field: f.Field, Operator: op, Value: value}}}
					if err := tx.CheckViewConditions(c); err != nil {
						t.Errorf("%s %s %q offered but refused: %v", f.Field, op, value, err)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	cols := views.ColumnNames()
	if len(cols) != len(views.Columns) || cols[0] != "nice_id" {
		t.Errorf("columns: %v", cols)
	}
}
