// Package errs defines the domain's error kinds, so the API can map them to
// HTTP statuses and Zendesk's error bodies without the domain knowing HTTP.
package errs

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/store"
)

// ErrNotFound: the record does not exist or the user may not see it.
var ErrNotFound = store.ErrNotFound

// ErrForbidden: the user is known but may not do this.
var ErrForbidden = errors.New("forbidden")

// ErrConflict: the record changed since the client read it, or a unique value is taken.
var ErrConflict = store.ErrConflict

// Detail is one problem with one field, in Zendesk's shape.
type Detail struct {
	Error       string `json:"error"`
	Description string `json:"description"`
}

// Invalid reports every problem found with a record (Zendesk's RecordInvalid).
type Invalid struct {
	Details map[string][]Detail
}

// Add records a problem with field; code is a stable machine word such as
// "InvalidValue" or "BlankValue", msg a sentence for a person.
func (v *Invalid) Add(field, code, msg string) {
	if v.Details == nil {
		v.Details = map[string][]Detail{}
	}
	v.Details[field] = append(v.Details[field], Detail{Error: code, Description: msg})
}

// Addf is Add with formatting.
func (v *Invalid) Addf(field, code, format string, args ...any) {
	v.Add(field, code, fmt.Sprintf(format, args...))
}

// OrNil returns v as an error when it holds a problem, else nil.
func (v *Invalid) OrNil() error {
	if v == nil || len(v.Details) == 0 {
		return nil
	}
	return v
}

func (v *Invalid) Error() string {
	fields := make([]string, 0, len(v.Details))
	for f := range v.Details {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	var parts []string
	for _, f := range fields {
		for _, d := range v.Details[f] {
			parts = append(parts, d.Description)
		}
	}
	return "record invalid: " + strings.Join(parts, "; ")
}

// Invalidf returns an Invalid with one problem.
func Invalidf(field, code, format string, args ...any) error {
	v := &Invalid{}
	v.Addf(field, code, format, args...)
	return v
}

// Forbiddenf wraps ErrForbidden with a reason a person can read.
func Forbiddenf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrForbidden, fmt.Sprintf(format, args...))
}

// Refused reports whether err is the domain saying no to this request
// (not found, forbidden, conflict, invalid) rather than a failure of the
// system (the database, a bug): batch operations report the first kind per
// item and abort on the second.
func Refused(err error) bool {
	var inv *Invalid
	return errors.Is(err, ErrNotFound) || errors.Is(err, ErrForbidden) || errors.Is(err, ErrConflict) || errors.As(err, &inv)
}
