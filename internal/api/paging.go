package api

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxPageSize is Zendesk's cap for both pagination styles.
const maxPageSize = 100

// pager is the pagination a request asked for: cursor style when any
// page[…] parameter is present, offset style (page, per_page) otherwise.
type pager struct {
	Cursor  bool
	Size    int
	Page    int    // offset style, from 1
	After   string // cursor style, opaque
	Before  string
	baseURL *url.URL
}

func parsePager(r *http.Request) (*pager, error) {
	q := r.URL.Query()
	p := &pager{Size: maxPageSize, Page: 1, baseURL: absoluteURL(r)}
	if v := q.Get("page[size]"); v != "" || q.Has("page[after]") || q.Has("page[before]") {
		p.Cursor = true
		if v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, badRequest("InvalidPaginationParameter", "page[size] must be a whole number from 1 to 100.")
			}
			p.Size = min(n, maxPageSize)
		}
		p.After, p.Before = q.Get("page[after]"), q.Get("page[before]")
		return p, nil
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, badRequest("InvalidPaginationParameter", "per_page must be a whole number from 1 to 100.")
		}
		p.Size = min(n, maxPageSize)
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, badRequest("InvalidPaginationParameter", "page must be a whole number from 1.")
		}
		p.Page = n
	}
	return p, nil
}

// offset is the number of rows to skip in offset style; pages beyond any
// plausible result are clamped so the database is never asked to skip
// billions of rows.
func (p *pager) offset() int {
	const maxOffset = 1 << 30
	o := (p.Page - 1) * p.Size
	if o > maxOffset || o < 0 {
		return maxOffset
	}
	return o
}

// offsetLinks fills Zendesk's next_page / previous_page / count.
func (p *pager) offsetLinks(body map[string]any, count int64, returned int) {
	body["count"] = count
	body["next_page"] = nil
	body["previous_page"] = nil
	if int64(p.offset()+returned) < count {
		body["next_page"] = p.withParams("page", strconv.Itoa(p.Page+1), "per_page", strconv.Itoa(p.Size))
	}
	if p.Page > 1 {
		body["previous_page"] = p.withParams("page", strconv.Itoa(p.Page-1), "per_page", strconv.Itoa(p.Size))
	}
}

// cursorLinks fills Zendesk's meta and links for cursor style.
func (p *pager) cursorLinks(body map[string]any, hasMore bool, after, before string) {
	meta := map[string]any{"has_more": hasMore, "after_cursor": nil, "before_cursor": nil}
	links := map[string]any{"next": nil, "prev": nil}
	if after != "" {
		meta["after_cursor"] = after
		if hasMore {
			links["next"] = p.withParams("page[size]", strconv.Itoa(p.Size), "page[after]", after)
		}
	}
	if before != "" {
		meta["before_cursor"] = before
		links["prev"] = p.withParams("page[size]", strconv.Itoa(p.Size), "page[before]", before)
	}
	body["meta"] = meta
	body["links"] = links
}

// withParams returns the request's absolute URL with pagination parameters
// replaced, keeping filters such as query= and sort_by=.
func (p *pager) withParams(kv ...string) string {
	u := *p.baseURL
	q := u.Query()
	for _, k := range []string{"page", "per_page", "page[size]", "page[after]", "page[before]"} {
		q.Del(k)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// absoluteURL rebuilds the URL the client called, honouring a proxy's
// X-Forwarded-Proto and X-Forwarded-Host, with the .json suffix clients expect.
func absoluteURL(r *http.Request) *url.URL {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	host := r.Host
	if fh := r.Header.Get("X-Forwarded-Host"); fh != "" {
		host, _, _ = strings.Cut(fh, ",") // the client-facing host, first proxy hop
	}
	u := *r.URL
	u.Scheme, u.Host = scheme, strings.TrimSpace(host)
	if !strings.HasSuffix(u.Path, ".json") {
		u.Path += ".json"
	}
	return &u
}

// baseURL is the scheme and host the client used, for record "url" fields.
func baseURL(r *http.Request) string {
	u := absoluteURL(r)
	return u.Scheme + "://" + u.Host
}

// encodeCursor and decodeCursor make opaque page[after] values from a sort
// value and an id.
func encodeCursor(v, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%d:%d", v, id)))
}

func decodeCursor(s string) (v, id int64, err error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		_, err = fmt.Sscanf(string(b), "%d:%d", &v, &id)
	}
	if err != nil {
		return 0, 0, badRequest("InvalidPaginationParameter", "The page cursor is not valid; use the value from meta.after_cursor or links.next.")
	}
	return v, id, nil
}

// pageByID serves one page of a list ordered by id, in either pagination
// style: list fetches rows after an id (cursor style) or at an offset
// (offset style); count is asked only for offset style.
func pageByID[T any](p *pager, body map[string]any, id func(T) int64,
	list func(afterID int64, offset, limit int) ([]T, error), count func() (int64, error)) ([]T, error) {
	if p.Cursor {
		var after int64
		if p.After != "" {
			var err error
			if _, after, err = decodeCursor(p.After); err != nil {
				return nil, err
			}
		}
		rows, err := list(after, 0, p.Size+1)
		if err != nil {
			return nil, err
		}
		hasMore := len(rows) > p.Size
		if hasMore {
			rows = rows[:p.Size]
		}
		a, b := "", ""
		if len(rows) > 0 {
			a, b = encodeCursor(0, id(rows[len(rows)-1])), encodeCursor(0, id(rows[0]))
		}
		p.cursorLinks(body, hasMore, a, b)
		return rows, nil
	}
	rows, err := list(0, p.offset(), p.Size)
	if err != nil {
		return nil, err
	}
	n, err := count()
	p.offsetLinks(body, n, len(rows))
	return rows, err
}

// sliceFrom drops the first offset rows of a list fetched from the start.
func sliceFrom[T any](rows []T, offset int) []T {
	if offset >= len(rows) {
		return nil
	}
	return rows[offset:]
}
