package api

import (
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// searchUsers is GET /users/search?query=… or ?external_id=…. A query that
// is one email address matches that address exactly; otherwise it is
// Zendesk search syntax: words and phrases search names, emails, phones,
// notes and tags (Japanese included, ｶﾀｶﾅ folded to カタカナ), and role:,
// email:, external_id:, organization_id: and tags: filter.
func (s *Server) searchUsers(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	q := r.URL.Query()
	query := strings.TrimSpace(q.Get("query"))
	ext := strings.TrimSpace(q.Get("external_id"))
	if query == "" && ext == "" {
		return badRequest("InvalidValue", "Give query= or external_id=. / query または external_id を指定してください。")
	}
	var f store.UserFilter
	if ext != "" {
		f.ExternalIDs = []string{ext}
	}
	if query != "" {
		empty, err := userQueryFilter(query, &f)
		if err != nil {
			return err
		}
		if empty {
			// Only punctuation: nothing can match, and all users must not.
			writeJSON(w, http.StatusOK, map[string]any{"users": []any{}, "count": 0, "next_page": nil, "previous_page": nil})
			return nil
		}
	}
	return s.respondUsers(w, r, f, false)
}

// userQueryFilter fills f from a search query; empty reports a query that
// can match nothing.
func userQueryFilter(query string, f *store.UserFilter) (empty bool, err error) {
	if a, err := mail.ParseAddress(query); err == nil && a.Address == query {
		f.Emails = []string{query}
		return false, nil
	}
	parsed, err := search.Parse(query)
	if err != nil {
		return false, badRequest("InvalidSearch", err.Error()+" / 検索条件が正しくありません。")
	}
	terms := parsed.Terms
	for _, flt := range parsed.Filters {
		if flt.Negate || flt.Op != ":" {
			return false, badRequest("InvalidSearch", "User search supports field:value filters only (role, email, external_id, organization_id, tags). / ユーザー検索では field:value 形式の条件のみ使えます。")
		}
		switch flt.Field {
		case "role":
			f.Roles = append(f.Roles, rolesFor(strings.ToLower(flt.Value))...)
		case "email":
			f.Emails = append(f.Emails, flt.Value)
		case "external_id":
			f.ExternalIDs = append(f.ExternalIDs, flt.Value)
		case "organization_id", "organization":
			id, err := strconv.ParseInt(flt.Value, 10, 64)
			if err != nil {
				return false, badRequest("InvalidSearch", "organization_id: expected an id. / 組織 ID を数字で指定してください。")
			}
			f.OrganizationIDs = append(f.OrganizationIDs, id)
		case "tags", "tag":
			f.Tags = append(f.Tags, strings.ToLower(flt.Value))
		default:
			// name:花子 and unknown fields search the text, as a person means.
			terms = append(terms, search.Term{Text: flt.Value})
		}
	}
	f.Text = search.ParseText(terms)
	return len(terms) > 0 && len(f.Text.Clauses) == 0 && len(parsed.Filters) == 0, nil
}

// autocompleteUsers is GET /users/autocomplete?name=…: users whose indexed
// text starts with the typed words, the last one as a prefix.
func (s *Server) autocompleteUsers(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	text := prefixQuery(r.URL.Query().Get("name"))
	if len(text.Clauses) == 0 {
		return badRequest("InvalidValue", "name is required, e.g. name=佐藤. / name を指定してください。")
	}
	return s.respondUsers(w, r, store.UserFilter{Text: text}, false)
}

// prefixQuery turns typed words into a text query whose last Latin word
// matches as a prefix.
func prefixQuery(name string) search.TextQuery {
	words := strings.Fields(name)
	terms := make([]search.Term, len(words))
	for i, word := range words {
		// A CJK word ignores the "*": its bigrams match inside names anyway.
		if last, _ := utf8.DecodeLastRuneInString(word); i == len(words)-1 && (unicode.IsLetter(last) || unicode.IsDigit(last)) {
			word += "*"
		}
		terms[i] = search.Term{Text: word}
	}
	return search.ParseText(terms)
}
