// Package search holds the pure-Go parts of Kizuna's ticket search: a parser
// for Zendesk's search syntax (Parse), and text normalisation/tokenisation
// that lets SQLite FTS5 and PostgreSQL full-text search answer Japanese
// (unsegmented) and English queries the same way.
//
// Text is indexed as pre-computed tokens: Latin-style words, and overlapping
// character bigrams for CJK/Thai-style runs plus the run's last character as
// a unigram. Queries are built from the same tokens as phrase queries, so the
// databases never tokenize natural language themselves:
//
//   - SQLite: store FTS5Document(...) in an FTS5 table created with
//     tokenize='<FTS5Tokenizer>' and query with TextQuery.FTS5().
//   - PostgreSQL: store TSVector(...) via $1::tsvector and query with
//     col @@ $2::tsquery using TextQuery.TSQuery(). Do not use to_tsvector or
//     to_tsquery: their parser would re-split the tokens.
package search
