package liquid

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// member reads key from a map (string keys) or the size/first/last of a list.
func member(v any, key string) any {
	switch m := v.(type) {
	case map[string]any:
		return m[key]
	case map[string]string:
		if s, ok := m[key]; ok {
			return s
		}
		return nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil
		}
		x := rv.MapIndex(reflect.ValueOf(key).Convert(rv.Type().Key()))
		if !x.IsValid() || !x.CanInterface() {
			return nil
		}
		return x.Interface()
	case reflect.Slice, reflect.Array, reflect.String:
		l := toList(v)
		switch key {
		case "size":
			if s, ok := v.(string); ok {
				return int64(utf8.RuneCountInString(s))
			}
			return int64(len(l))
		case "first":
			if len(l) > 0 && rv.Kind() != reflect.String {
				return l[0]
			}
		case "last":
			if len(l) > 0 && rv.Kind() != reflect.String {
				return l[len(l)-1]
			}
		}
	}
	return nil
}

func index(v any, i any) any {
	if k, ok := i.(string); ok {
		return member(v, k)
	}
	n, ok := toInt(i)
	if !ok {
		return nil
	}
	if _, isStr := v.(string); isStr {
		return nil
	}
	l := toList(v)
	if n < 0 {
		n += int64(len(l))
	}
	if n < 0 || n >= int64(len(l)) {
		return nil
	}
	return l[n]
}

// toList turns slices and arrays into []any; other values give nil.
func toList(v any) []any {
	switch l := v.(type) {
	case []any:
		return l
	case []string:
		out := make([]any, len(l))
		for i, s := range l {
			out[i] = s
		}
		return out
	case nil, string:
		return nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil
	}
	out := make([]any, rv.Len())
	for i := range out {
		if x := rv.Index(i); x.CanInterface() {
			out[i] = x.Interface()
		}
	}
	return out
}

func toInt(v any) (int64, bool) {
	f, ok := toNumber(v)
	if !ok || f != f || f > 1e15 || f < -1e15 {
		return 0, false
	}
	return int64(f), true
}

// toNumber converts numbers and numeric strings.
func toNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case float64:
		return n, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
		return f, err == nil
	case bool, nil:
		return 0, false
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(rv.Uint()), true
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true
	case reflect.String:
		return toNumber(rv.String())
	}
	return 0, false
}

func isNumber(v any) bool {
	if _, ok := v.(string); ok {
		return false
	}
	_, ok := toNumber(v)
	return ok
}

// toString renders a value the way Liquid prints it.
func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return formatFloat(x)
	case time.Time:
		return x.In(tokyo).Format("2006-01-02 15:04:05 -0700")
	case special, rangeExpr:
		return ""
	case fmt.Stringer:
		return ""
	}
	if l := toList(v); l != nil {
		var b strings.Builder
		for _, e := range l {
			b.WriteString(toString(e))
			if b.Len() > MaxOutput {
				break
			}
		}
		return b.String()
	}
	if f, ok := toNumber(v); ok {
		return formatFloat(f)
	}
	return ""
}

func formatFloat(f float64) string {
	if f == float64(int64(f)) && f < 1e15 && f > -1e15 {
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// truthy: like Liquid, only nil and false are false.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case special:
		return true
	}
	return true
}

func isEmpty(v any, blank bool) bool {
	switch x := v.(type) {
	case nil:
		return blank
	case string:
		if blank {
			return strings.TrimSpace(x) == ""
		}
		return x == ""
	case bool:
		return blank && !x
	}
	if l := toList(v); l != nil || isList(v) {
		return len(l) == 0
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Map {
		return rv.Len() == 0
	}
	return false
}

func isList(v any) bool {
	k := reflect.ValueOf(v).Kind()
	return k == reflect.Slice || k == reflect.Array
}

func equal(a, b any) bool {
	if sp, ok := b.(special); ok {
		return isEmpty(a, sp == specBlank)
	}
	if sp, ok := a.(special); ok {
		return isEmpty(b, sp == specBlank)
	}
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if isNumber(a) && isNumber(b) {
		x, _ := toNumber(a)
		y, _ := toNumber(b)
		return x == y
	}
	if ab, ok := a.(bool); ok {
		bb, ok := b.(bool)
		return ok && ab == bb
	}
	if isList(a) || isList(b) {
		return false
	}
	return toString(a) == toString(b)
}

func compare(a any, op string, b any) bool {
	switch op {
	case "==":
		return equal(a, b)
	case "!=":
		return !equal(a, b)
	case "contains":
		if a == nil || b == nil {
			return false
		}
		if s, ok := a.(string); ok {
			return strings.Contains(s, toString(b))
		}
		for _, e := range toList(a) {
			if equal(e, b) {
				return true
			}
		}
		return false
	}
	var c int
	if x, ok := toNumber(a); ok && !isStringPair(a, b) {
		y, ok := toNumber(b)
		if !ok {
			return false
		}
		c = cmpFloat(x, y)
	} else {
		sa, oka := a.(string)
		sb, okb := b.(string)
		if !oka || !okb {
			return false
		}
		c = strings.Compare(sa, sb)
	}
	switch op {
	case "<":
		return c < 0
	case ">":
		return c > 0
	case "<=":
		return c <= 0
	case ">=":
		return c >= 0
	}
	return false
}

// isStringPair: two strings compare as strings even if they look numeric,
// except when both are numbers written as text (custom field values).
func isStringPair(a, b any) bool {
	sa, oka := a.(string)
	sb, okb := b.(string)
	if !oka || !okb {
		return false
	}
	_, e1 := strconv.ParseFloat(sa, 64)
	_, e2 := strconv.ParseFloat(sb, 64)
	return e1 != nil || e2 != nil
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}
