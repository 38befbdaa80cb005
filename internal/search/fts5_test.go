package search

import (
	"database/sql"
	"slices"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

func openFTS5(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one connection = one in-memory database
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE VIRTUAL TABLE docs USING fts5(body, tokenize='` + FTS5Tokenizer + `', prefix='1')`); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestFTS5Search(t *testing.T) {
	db := openFTS5(t)
	for id, secs := range corpus {
		if _, err := db.Exec(`INSERT INTO docs(rowid, body) VALUES (?, ?)`, id, FTS5Document(secs...)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range searchCases {
		t.Run(tc.query, func(t *testing.T) {
			q, err := textQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			m := q.FTS5()
			rows, err := db.Query(`SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY rowid`, m)
			if err != nil {
				t.Fatalf("MATCH %s: %v", m, err)
			}
			defer rows.Close()
			var got []int
			for rows.Next() {
				var id int
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				got = append(got, id)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("MATCH %s = %v, want %v", m, got, tc.want)
			}
		})
	}
}

// TestFTS5TokensSurvive checks with fts5vocab that FTS5 stores exactly our
// tokens, one FTS5 token each, in order.
func TestFTS5TokensSurvive(t *testing.T) {
	db := openFTS5(t)
	if _, err := db.Exec(`CREATE VIRTUAL TABLE vocab USING fts5vocab(docs, 'instance')`); err != nil {
		t.Fatal(err)
	}
	doc := FTS5Document(tokenMix, "次のセクション")
	if _, err := db.Exec(`INSERT INTO docs(rowid, body) VALUES (1, ?)`, doc); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT term FROM vocab WHERE doc = 1 ORDER BY offset`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var term string
		if err := rows.Scan(&term); err != nil {
			t.Fatal(err)
		}
		got = append(got, term)
	}
	want := strings.Split(doc, " ")
	if !slices.Equal(got, want) {
		t.Errorf("FTS5 tokens differ:\n got  %q\n want %q", got, want)
	}
}

func TestFTS5AllNegative(t *testing.T) {
	q, _ := textQuery("-配送 -返金")
	if m := q.FTS5(); m != "" {
		t.Errorf("all-negative FTS5() = %q, want empty", m)
	}
}
