package store

import (
	"encoding/json"
	"strconv"
)

// PostgreSQL keeps custom field values as JSON text; jsonb containment
// matches a scalar value and an element of a multi-select list alike.

func (postgresDialect) customFieldIs(id int64, want any) (string, []any) {
	js, _ := json.Marshal(want)
	return "EXISTS (SELECT 1 FROM jsonb_array_elements(t.custom_fields::jsonb) cf WHERE cf->>'id' = ? AND (cf->'value') @> CAST(? AS jsonb))", []any{strconv.FormatInt(id, 10), string(js)}
}

func (postgresDialect) customFieldPresent(id int64) (string, []any) {
	return "EXISTS (SELECT 1 FROM jsonb_array_elements(t.custom_fields::jsonb) cf WHERE cf->>'id' = ? AND cf->'value' NOT IN ('null'::jsonb, 'false'::jsonb, '\"\"'::jsonb, '[]'::jsonb))", []any{strconv.FormatInt(id, 10)}
}
