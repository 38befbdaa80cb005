package store

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// fromJSON's shortcut for empty arrays and objects must give exactly what
// the decoder gives: a non-nil empty value, which the API writes as [] or
// {} (nil would be null).
func TestFromJSONEmpty(t *testing.T) {
	check := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v, want %#v", name, got, want)
		}
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if string(g) != string(w) {
			t.Errorf("%s: encodes as %s, want %s", name, g, w)
		}
	}
	decode := func(s string, v any) any {
		_ = json.Unmarshal([]byte(s), v)
		return reflect.ValueOf(v).Elem().Interface()
	}
	for _, s := range []string{"[]", "{}", "", "null", `[1,2]`, `{"a":"b"}`, `["東京"]`, "[ ]"} {
		check("[]int64 "+s, fromJSON[[]int64](s), decode(s, new([]int64)))
		check("[]string "+s, fromJSON[[]string](s), decode(s, new([]string)))
		check("[]FieldValue "+s, fromJSON[[]model.FieldValue](s), decode(s, new([]model.FieldValue)))
		check("[]AuditEvent "+s, fromJSON[[]model.AuditEvent](s), decode(s, new([]model.AuditEvent)))
		check("map[string]any "+s, fromJSON[map[string]any](s), decode(s, new(map[string]any)))
		check("map[string]string "+s, fromJSON[map[string]string](s), decode(s, new(map[string]string)))
	}
	if v := fromJSON[[]int64]("[]"); v == nil {
		t.Fatal("empty array decoded to nil")
	}
}
