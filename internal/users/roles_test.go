package users

import (
	"slices"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/model"
)

func TestResolveRole(t *testing.T) {
	s := func(v string) *string { return &v }
	n := func(v int64) *int64 { return &v }
	for _, c := range []struct {
		name     string
		cur      string
		role     *string
		roleType *int64
		want     string
	}{
		{"new user without role", "", nil, nil, ""},
		{"new light agent by name", "", s("light_agent"), nil, model.RoleLightAgent},
		{"new light agent by role_type", "", s("agent"), n(RoleTypeLightAgent), model.RoleLightAgent},
		{"agent sent back keeps a light agent light", model.RoleLightAgent, s("agent"), nil, model.RoleLightAgent},
		{"role_type 0 makes a full agent", model.RoleLightAgent, s("agent"), n(RoleTypeCustomAgent), model.RoleAgent},
		{"role_type alone", model.RoleAgent, nil, n(RoleTypeLightAgent), model.RoleLightAgent},
		{"role_type ignored for customers", model.RoleEndUser, nil, n(RoleTypeLightAgent), model.RoleEndUser},
		{"blank role changes nothing", model.RoleAdmin, s(" "), nil, model.RoleAdmin},
		{"case and underscores", "", s("End_User"), nil, model.RoleEndUser},
		{"unknown stays unknown for validation", "", s("boss"), nil, "boss"},
	} {
		if got := resolveRole(c.cur, c.role, c.roleType); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestEditTags(t *testing.T) {
	cur := []string{"vip", "法人"}
	for _, c := range []struct {
		op   TagOp
		tags []string
		want []string
	}{
		{SetTags, []string{"A", "a b"}, []string{"a", "b"}},
		{AddTags, []string{"至急", "VIP"}, []string{"vip", "法人", "至急"}},
		{RemoveTags, []string{"VIP", "無い"}, []string{"法人"}},
		{SetTags, nil, []string{}},
	} {
		if got := EditTags(cur, c.op, c.tags); !slices.Equal(got, c.want) {
			t.Errorf("op %d %v: got %v, want %v", c.op, c.tags, got, c.want)
		}
	}
	if !slices.Equal(cur, []string{"vip", "法人"}) {
		t.Errorf("EditTags changed its input: %v", cur)
	}
}

func TestZonesAndLocales(t *testing.T) {
	if IANAZone("Tokyo") != "Asia/Tokyo" || IANAZone("Asia/Tokyo") != "Asia/Tokyo" || RailsZone("Asia/Tokyo") != "Tokyo" {
		t.Error("Tokyo does not round-trip")
	}
	if RailsZone("America/Argentina/Salta") != "America/Argentina/Salta" {
		t.Error("zones without a Rails name must keep their IANA name")
	}
	if id := LocaleID("ja"); id == nil || *id != 67 {
		t.Errorf("ja locale id %v", id)
	}
	if id := LocaleID("EN"); id == nil || *id != 1 {
		t.Errorf("en locale id %v", id)
	}
	if LocaleID("xx") != nil {
		t.Error("unknown locale has an id")
	}
	if l, ok := LocaleForID(67); !ok || l != "ja" {
		t.Errorf("locale 67 = %q", l)
	}
	for in, want := range map[string]bool{"ja": true, "en-US": true, "zh-Hant-TW": true, "日本語": false, "j": false, "en_US": false} {
		if ValidLocale(in) != want {
			t.Errorf("ValidLocale(%q) = %v", in, !want)
		}
	}
}
