package customerlinks

import (
	"testing"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

func TestExpandEscapes(t *testing.T) {
	u := &model.User{ID: 7, Name: "佐藤 花子", Email: "hanako+order@customer.co.jp", Phone: "03-1234-5678", ExternalID: "C/100"}
	org := &model.Organization{Name: "㈱さくら&マーケット"}
	vals := Values(u, org)
	for tpl, want := range map[string]string{
		"https://crm.example.co.jp/customers/{{external_id}}":                     "https://crm.example.co.jp/customers/C%2F100",
		"https://admin.example.jp/search?email={{email}}&tel={{ phone }}":         "https://admin.example.jp/search?email=hanako%2Border%40customer.co.jp&tel=03-1234-5678",
		"https://admin.example.jp/s?name={{name}}&org={{organization}}&id={{id}}": "https://admin.example.jp/s?name=%E4%BD%90%E8%97%A4%20%E8%8A%B1%E5%AD%90&org=%E3%88%B1%E3%81%95%E3%81%8F%E3%82%89%26%E3%83%9E%E3%83%BC%E3%82%B1%E3%83%83%E3%83%88&id=7",
	} {
		if got := Expand(tpl, vals); got != want {
			t.Errorf("Expand(%q) = %q, want %q", tpl, got, want)
		}
	}
	// A link whose only value is missing is left out.
	links := ForCustomer([]*store.CustomerLink{{Name: "CRM", URLTemplate: "https://crm.example.jp/{{organization_external_id}}"},
		{Name: "管理画面", URLTemplate: "https://admin.example.jp/?q={{email}}"}}, u, org)
	if len(links) != 1 || links[0].Name != "管理画面" {
		t.Errorf("ForCustomer = %+v", links)
	}
}

func TestValidate(t *testing.T) {
	for tpl, ok := range map[string]bool{
		"https://crm.example.co.jp/customers/{{external_id}}": true,
		"http://intra.local/?q={{email}}":                     true,
		"javascript:alert(1)//{{email}}":                      false,
		"https://crm.example.jp/{{password}}":                 false,
		"/relative/{{email}}":                                 false,
	} {
		if err := Validate("CRM", tpl); (err == nil) != ok {
			t.Errorf("Validate(%q) = %v", tpl, err)
		}
	}
	if Validate("", "https://x.example.jp/") == nil {
		t.Errorf("empty name accepted")
	}
}
