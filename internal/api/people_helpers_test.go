package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

// step is one request of a table-driven scenario and what must come back.
type step struct {
	name   string
	as     string // admin, agent, light, customer
	method string
	path   string
	body   any
	status int
	// want maps a response path (see apptest.Response.Get) to its expected
	// value; numbers compare as float64 via fmt, nil means JSON null.
	want  map[string]any
	check func(t *testing.T, r *apptest.Response)
}

func who(d *apptest.Desk, as string) *apptest.User {
	switch as {
	case "admin":
		return d.Admin
	case "agent":
		return d.Agent
	case "light":
		return d.Light
	case "customer":
		return d.Customer
	}
	panic("unknown user " + as)
}

// runSteps runs steps in order as subtests, stopping at the first failure
// since later steps build on earlier ones.
func runSteps(t *testing.T, d *apptest.Desk, steps []step) {
	t.Helper()
	for _, s := range steps {
		ok := t.Run(s.name, func(t *testing.T) {
			r := d.Do(who(d, s.as), s.method, s.path, s.body)
			if r.Status != s.status {
				t.Fatalf("%s %s as %s: status %d, want %d\n%s", s.method, s.path, s.as, r.Status, s.status, r.Raw)
			}
			for path, want := range s.want {
				if got := r.Get(path); fmt.Sprint(got) != fmt.Sprint(want) || (want == nil) != (got == nil) {
					t.Errorf("%s = %#v, want %#v\n%s", path, got, want, r.Raw)
				}
			}
			if s.check != nil {
				s.check(t, r)
			}
		})
		if !ok {
			t.FailNow()
		}
	}
}

// ids returns the "id" of every object in the list at path.
func idsAt(r *apptest.Response, path string) []int64 {
	var out []int64
	for i := 0; i < r.Len(path); i++ {
		out = append(out, r.Int(fmt.Sprintf("%s.%d.id", path, i)))
	}
	return out
}

// hasID fails unless the list at path holds id (or, with want false, not).
func hasID(path string, id int64, want bool) func(t *testing.T, r *apptest.Response) {
	return func(t *testing.T, r *apptest.Response) {
		t.Helper()
		if got := slices.Contains(idsAt(r, path), id); got != want {
			t.Errorf("%s contains %d = %v, want %v\n%s", path, id, got, want, r.Raw)
		}
	}
}

// detailOf returns the first problem with field in a 422 body; field may
// contain dots (custom_fields.12), so it is looked up directly.
func detailOf(r *apptest.Response, field string) (code, description string) {
	details, _ := r.Get("details").(map[string]any)
	list, _ := details[field].([]any)
	if len(list) == 0 {
		return "", ""
	}
	first, _ := list[0].(map[string]any)
	code, _ = first["error"].(string)
	description, _ = first["description"].(string)
	return code, description
}

// detail returns the first error code for field in a 422 body.
func detail(r *apptest.Response, field string) string {
	code, _ := detailOf(r, field)
	return code
}

// wantDetail checks a RecordInvalid body names field with code.
func wantDetail(field, code string) func(t *testing.T, r *apptest.Response) {
	return func(t *testing.T, r *apptest.Response) {
		t.Helper()
		got, desc := detailOf(r, field)
		if r.Str("error") != "RecordInvalid" || got != code {
			t.Errorf("want RecordInvalid with details.%s %s, got\n%s", field, code, r.Raw)
		}
		if !strings.Contains(desc, " ") {
			t.Errorf("details.%s has no description: %s", field, r.Raw)
		}
	}
}

// strList returns the strings in the list at path.
func strList(r *apptest.Response, path string) []string {
	var out []string
	for i := 0; i < r.Len(path); i++ {
		out = append(out, r.Str(fmt.Sprintf("%s.%d", path, i)))
	}
	return out
}
