package tickets

import (
	"testing"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// A number or date field takes what a person writes as one, full-width
// digits included, and nothing strconv also parses that is not a number
// (NaN, Inf, hex floats, digit separators).
func TestNumberFieldValues(t *testing.T) {
	decimal := &model.TicketField{Type: "decimal", Title: "請求金額"}
	integer := &model.TicketField{Type: "integer", Title: "注文数"}
	date := &model.TicketField{Type: "date", Title: "契約更新日"}
	cases := []struct {
		def  *model.TicketField
		in   string
		want string // what is kept; "" when refused
	}{
		{decimal, "1280.5", "1280.5"}, {decimal, "-3", "-3"}, {decimal, "1e3", "1e3"}, {decimal, "１２８０．５", "1280.5"},
		{decimal, "NaN", ""}, {decimal, "Inf", ""}, {decimal, "-infinity", ""}, {decimal, "0x1p4", ""}, {decimal, "1_000", ""}, {decimal, "千", ""},
		{integer, "12", "12"}, {integer, "－１２", "-12"}, {integer, "1_000", ""}, {integer, "1.5", ""},
		{date, "２０２６－０４－０１", "2026-04-01"}, {date, "2026-02-30", ""},
	}
	for _, c := range cases {
		got, err := normalizeFieldValue(c.def, c.in)
		if c.want == "" && err == nil {
			t.Errorf("%s %q: kept %v, want refused", c.def.Type, c.in, got)
		}
		if c.want != "" && (err != nil || got != c.want) {
			t.Errorf("%s %q: kept %v (%v), want %q", c.def.Type, c.in, got, err, c.want)
		}
	}
}
