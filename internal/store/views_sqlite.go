package store

// SQLite keeps custom field values as JSON text; json_each walks the list
// and, for a multi-select, the value's own list (a scalar yields one row).

func (sqliteDialect) customFieldIs(id int64, want any) (string, []any) {
	if b, ok := want.(bool); ok {
		typ := "false"
		if b {
			typ = "true"
		}
		return "EXISTS (SELECT 1 FROM json_each(t.custom_fields) cf WHERE json_extract(cf.value, '$.id') = ? AND json_type(cf.value, '$.value') = ?)", []any{id, typ}
	}
	return "EXISTS (SELECT 1 FROM json_each(t.custom_fields) cf, json_each(cf.value, '$.value') x WHERE json_extract(cf.value, '$.id') = ? AND x.type = 'text' AND x.value = ?)", []any{id, want}
}

func (sqliteDialect) customFieldPresent(id int64) (string, []any) {
	return "EXISTS (SELECT 1 FROM json_each(t.custom_fields) cf WHERE json_extract(cf.value, '$.id') = ? AND json_type(cf.value, '$.value') NOT IN ('null', 'false') AND COALESCE(json_extract(cf.value, '$.value'), '') NOT IN ('', '[]'))", []any{id}
}
