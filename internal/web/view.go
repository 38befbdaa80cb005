package web

import (
	"bytes"
	"embed"
	"fmt"
	"hash/fnv"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/model"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages are parsed once: each page template together with the layout.
var pages = func() map[string]*template.Template {
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/parts.html", "templates/part_*.html"))
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	m := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || base == "parts" || strings.HasPrefix(base, "part_") { // part_*.html: fragments every page may use
			continue
		}
		m[base] = template.Must(template.Must(layout.Clone()).ParseFS(templateFS, n))
	}
	return m
}()

// view is what every template gets: the person, their language and time
// zone, the CSRF token and the page's own data.
type view struct {
	Lang   string
	Me     *model.User
	CSRF   string
	Title  string
	Static string // prefix of the hashed static URLs
	Data   any
	loc    *time.Location
	now    time.Time
}

// view prepares the template data for r: the signed-in user's language and
// zone, or the browser's language for pages before sign-in.
func (s *Server) view(r *http.Request) *view {
	v := &view{Me: currentUser(r), Static: staticPrefix, now: s.Now()}
	if sess := currentSession(r); sess != nil {
		v.CSRF = sess.csrf
	}
	v.Lang, v.loc = "", tokyo
	if v.Me != nil {
		v.Lang = langOf(v.Me.Locale)
		if v.Me.TimeZone != "" {
			if loc, err := loadZone(v.Me.TimeZone); err == nil {
				v.loc = loc
			}
		}
	}
	if q := langOf(r.URL.Query().Get("lang")); q != "" && v.Me == nil {
		v.Lang = q
	}
	if v.Lang == "" {
		v.Lang = acceptLanguage(r.Header.Get("Accept-Language"))
	}
	return v
}

// T translates key into the page's language; args fill %s / %d verbs.
func (v *view) T(key string, args ...any) string {
	s := translate(v.Lang, key)
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// When formats t in the viewer's time zone: the time alone for today,
// month and day this year, the full date otherwise.
func (v *view) When(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	lt, now := t.In(v.loc), v.now.In(v.loc)
	switch {
	case lt.Year() == now.Year() && lt.YearDay() == now.YearDay():
		return lt.Format("15:04")
	case lt.Year() == now.Year():
		if v.Lang == "ja" {
			return lt.Format("1月2日 15:04")
		}
		return lt.Format("Jan 2 15:04")
	}
	if v.Lang == "ja" {
		return lt.Format("2006年1月2日")
	}
	return lt.Format("Jan 2, 2006")
}

// Full is t with date, time and zone, for tooltips and the audit trail.
func (v *view) Full(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(v.loc).Format("2006-01-02 15:04 MST")
}

// ISO is t for a <time datetime> attribute.
func (v *view) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Zone is the viewer's time zone name.
func (v *view) Zone() string { return v.loc.String() }

// Colour picks one of the stylesheet's avatar colours (av-0 … av-11) from
// a user id, so an agent keeps their colour on every page and device.
func Colour(id int64) int {
	if id == 0 {
		return -1
	}
	h := fnv.New32a()
	fmt.Fprintf(h, "kizuna-agent-%d", id)
	return int(h.Sum32() % 12)
}

// Initials are an avatar's letters: the first letter of the family and
// given names for Latin names, the first character for Japanese ones.
func Initials(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return "?"
	}
	first, _ := utf8.DecodeRuneInString(name)
	if first > unicode.MaxLatin1 {
		return string(first)
	}
	parts := strings.Fields(name)
	out := string(unicode.ToUpper(first))
	if len(parts) > 1 {
		r, _ := utf8.DecodeRuneInString(parts[len(parts)-1])
		out += string(unicode.ToUpper(r))
	}
	return out
}

func (v *view) Colour(id int64) int         { return Colour(id) }
func (v *view) Initials(name string) string { return Initials(name) }

// render executes a page into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, v *view) {
	var buf bytes.Buffer
	t := pages[name]
	if t == nil {
		s.Log.Error("no such template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.Log.Error("render page", "name", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
