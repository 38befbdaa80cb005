package store

import (
	"database/sql"
	"strings"
)

// ExplainTimeline returns the query plan of each timeline query, so a test
// can check they are answered from indexes. On PostgreSQL sequential scans
// are discouraged first, so a plan that still has one has no usable index.
func (t *Tx) ExplainTimeline(scope TimelineScope, before *TimelineBound) ([]string, error) {
	type q struct {
		sql  string
		args []any
	}
	var qs []q
	add := func(s string, a []any) { qs = append(qs, q{s, a}) }
	add(timelineTicketsSQL(scope, before, 10))
	add(timelineOfTicketsSQL(commentCols, "comments", scope, before, 10))
	add(timelineOfTicketsSQL(mailCols, "mail_messages", scope, before, 10))
	add(latestCommentsSQL([]int64{1, 2, 3}))
	prefix := "EXPLAIN QUERY PLAN "
	if t.d.name() == "postgres" {
		prefix = "EXPLAIN "
		if _, err := t.exec("SET LOCAL enable_seqscan = off"); err != nil {
			return nil, err
		}
	}
	var plans []string
	for _, q := range qs {
		set, err := t.query(prefix+q.sql, q.args...)
		if err != nil {
			return nil, err
		}
		rows := set.(*sql.Rows) // EXPLAIN is not batched: see pgPipe.query
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			lines = append(lines, toString(vals[len(vals)-1]))
		}
		rows.Close()
		plans = append(plans, strings.Join(lines, "\n"))
	}
	return plans, nil
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}
