package store

import "slices"

// Deferred full-text indexing for grouped SQLite writes (group_commit.go).
// FTS5 writes its pending index data out as a new segment at every
// statement boundary inside a transaction, so indexing each write's
// documents as it goes made several tiny segments per ticket, each to be
// merged again later. Writes in a group instead queue their index changes
// on their Tx; the committer applies the surviving ones (a write that
// failed was rolled back, and so are its changes) in one DELETE and one
// multi-row INSERT per table just before COMMIT, so every change is still
// searchable the moment its write returns. Within the writing transaction
// itself a queued change is not yet visible to search.

type indexOp struct {
	kind     docKind
	id       int64
	sections []string // nil: remove the document
}

// deferIndex queues an index change when t belongs to a group; it reports
// whether it did.
func (t *Tx) deferIndex(kind docKind, id int64, sections []string) bool {
	if t.indexQueue == nil {
		return false
	}
	*t.indexQueue = append(*t.indexQueue, indexOp{kind: kind, id: id, sections: sections})
	return true
}

// applyIndexOps writes queued changes, the last change per document
// winning, with one DELETE and one INSERT per full-text table.
func (f ftsIndexer) applyIndexOps(t *Tx, ops []indexOp) error {
	type key struct {
		kind docKind
		id   int64
	}
	last := map[key]int{}
	for i, op := range ops {
		last[key{op.kind, op.id}] = i
	}
	for kind, table := range ftsTables {
		var ids []int64
		var docs []indexOp
		for i, op := range ops {
			if op.kind != docKind(kind) || last[key{op.kind, op.id}] != i {
				continue
			}
			ids = append(ids, op.id)
			if op.sections != nil {
				docs = append(docs, op)
			}
		}
		if len(ids) == 0 {
			continue
		}
		slices.Sort(ids)
		for chunk := range slices.Chunk(ids, 500) {
			// Most documents are new (a ticket or user just created);
			// deleting from FTS5 costs even for absent ones, so ask its
			// docsize table which ids are there first.
			old, err := t.ids("SELECT id FROM "+table+"_docsize WHERE id IN ("+placeholders(len(chunk))+")", int64Args(chunk)...)
			if err != nil || len(old) == 0 {
				if err != nil {
					return err
				}
				continue
			}
			if _, err := t.exec("DELETE FROM "+table+" WHERE rowid IN ("+placeholders(len(old))+")", int64Args(old)...); err != nil {
				return err
			}
		}
		w := t.newRowWriter(table, "rowid, "+ftsCols(docKind(kind)))
		for _, op := range docs {
			if err := w.add(append([]any{op.id}, f.docValues(op.kind, op.sections)...)...); err != nil {
				return err
			}
		}
		if err := w.flush(); err != nil {
			return err
		}
	}
	return nil
}
