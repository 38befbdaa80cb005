package store_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestTimelineQueriesUseIndexes: a customer's timeline must not read every
// ticket, comment or mail of the desk.
func TestTimelineQueriesUseIndexes(t *testing.T) {
	fullScan := regexp.MustCompile(`(?m)^\s*(SCAN (t|tickets|comments|mail_messages)\b|.*Seq Scan on (tickets|comments|mail_messages)\b)`)
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		bound := &store.TimelineBound{At: time.Now(), ID: 42}
		for _, scope := range []store.TimelineScope{{RequesterID: 7}, {RequesterID: 7, OrganizationID: 3}} {
			for _, b := range []*store.TimelineBound{nil, bound} {
				var plans []string
				err := db.Read(context.Background(), func(tx *store.Tx) error {
					var err error
					plans, err = tx.ExplainTimeline(scope, b)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				for i, p := range plans {
					if fullScan.MatchString(p) || p == "" {
						t.Errorf("query %d (scope %+v, bound %v) scans a whole table:\n%s", i, scope, b != nil, p)
					}
				}
			}
		}
	})
}
