package search

import (
	"database/sql"
	"os"
	"slices"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// openPostgres connects to KIZUNA_TEST_POSTGRES (a postgres:// URL) or skips.
func openPostgres(t *testing.T) *sql.DB {
	t.Helper()
	url := os.Getenv("KIZUNA_TEST_POSTGRES")
	if url == "" {
		t.Skip("KIZUNA_TEST_POSTGRES not set")
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestPostgresSearch(t *testing.T) {
	db := openPostgres(t)
	vectors := map[int]string{}
	for id, secs := range corpus {
		var s []Section
		for i, text := range secs {
			s = append(s, Section{Text: text, Weight: byte('A' + i)})
		}
		vectors[id] = TSVector(s...)
	}
	cases := append(slices.Clone(searchCases),
		searchCase{"-配送 -返金 -申請", []int{2, 3, 4, 5, 6, 9, 10, 12, 13, 16, 17, 18}})
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			q, err := textQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			tsq := q.TSQuery()
			var got []int
			for id := 1; id <= len(corpus); id++ {
				var ok bool
				if err := db.QueryRow(`SELECT $1::tsvector @@ $2::tsquery`, vectors[id], tsq).Scan(&ok); err != nil {
					t.Fatalf("doc %d, query %s: %v", id, tsq, err)
				}
				if ok {
					got = append(got, id)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("@@ %s = %v, want %v", tsq, got, tc.want)
			}
		})
	}
}

// TestPostgresTokensSurvive checks that the ::tsvector and ::tsquery casts
// keep our tokens intact and that oversized documents still cast.
func TestPostgresTokensSurvive(t *testing.T) {
	db := openPostgres(t)
	toks := IndexTokens(tokenMix)
	var got string
	if err := db.QueryRow(`SELECT array_to_string(tsvector_to_array($1::tsvector), ' ')`,
		TSVector(Section{Text: tokenMix, Weight: 'A'})).Scan(&got); err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(toks)
	slices.Sort(want)
	want = slices.Compact(want)
	gotToks := strings.Split(got, " ")
	slices.Sort(gotToks) // PostgreSQL sorts lexemes by bytes, as Go does
	if !slices.Equal(gotToks, want) {
		t.Errorf("tsvector lexemes differ:\n got  %q\n want %q", gotToks, want)
	}

	q := ParseText([]Term{{Text: tokenMix, Phrase: true}})
	var ok bool
	if err := db.QueryRow(`SELECT $1::tsvector @@ $2::tsquery`,
		TSVector(Section{Text: tokenMix}), q.TSQuery()).Scan(&ok); err != nil || !ok {
		t.Errorf("document does not match its own phrase: %v %v", ok, err)
	}

	var long []rune
	for i := range 400_000 {
		long = append(long, rune(0x4E00+(i*7919)%20000))
	}
	var n int
	if err := db.QueryRow(`SELECT length($1::tsvector)`,
		TSVector(Section{Text: string(long)}, Section{Text: strings.Repeat("x", 5000)})).Scan(&n); err != nil {
		t.Fatalf("large document: %v", err)
	}
}
