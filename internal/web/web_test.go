package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/web"
)

// browser is a cookie-keeping HTTP client that behaves like a browser on
// our pages: it finds CSRF tokens in forms and posts them back.
type browser struct {
	t    *testing.T
	d    *apptest.Desk
	c    *http.Client
	lang string
}

func newBrowser(t *testing.T, d *apptest.Desk, lang string) *browser {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{t: t, d: d, c: c, lang: lang}
}

type page struct {
	status int
	header http.Header
	body   string
	loc    string
}

func (b *browser) do(method, path string, form url.Values) *page {
	b.t.Helper()
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.d.URL+path, rd)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return &page{status: resp.StatusCode, header: resp.Header, body: string(raw), loc: resp.Header.Get("Location")}
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (p *page) csrf(t *testing.T) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no csrf token in page:\n%s", p.body)
	}
	return m[1]
}

// login signs in through the form and returns the first page after it.
func (b *browser) login(email, password string, remember bool) *page {
	b.t.Helper()
	lp := b.do("GET", "/login", nil)
	f := url.Values{"csrf": {lp.csrf(b.t)}, "email": {email}, "password": {password}}
	if remember {
		f.Set("remember", "1")
	}
	r := b.do("POST", "/login", f)
	if r.status != http.StatusSeeOther {
		b.t.Fatalf("login %s: status %d\n%s", email, r.status, r.body)
	}
	return b.do("GET", r.loc, nil)
}

func TestSignInLanguagesAndHeaders(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		// Signed out: pages send you to sign in, in the browser's language.
		b := newBrowser(t, d, "en-US,en;q=0.9,ja;q=0.5")
		if p := b.do("GET", "/tickets", nil); p.status != http.StatusSeeOther || !strings.HasPrefix(p.loc, "/login?next=") {
			t.Fatalf("signed out /tickets: %d %q", p.status, p.loc)
		}
		lp := b.do("GET", "/login", nil)
		if !strings.Contains(lp.body, "Keep me signed in") || !strings.Contains(lp.body, `lang="en"`) {
			t.Errorf("English browser did not get the English sign-in page")
		}
		if got := lp.header.Get("Content-Security-Policy"); got != web.CSP || !strings.Contains(got, "script-src 'self'") {
			t.Errorf("CSP = %q", got)
		}
		if lp.header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("X-Frame-Options = %q", lp.header.Get("X-Frame-Options"))
		}
		// No inline script or style anywhere.
		if strings.Contains(lp.body, "<script>") || strings.Contains(lp.body, "style=") || strings.Contains(lp.body, "<style") {
			t.Errorf("inline script or style in the page")
		}

		// A wrong password is refused in the browser's language.
		f := url.Values{"csrf": {lp.csrf(t)}, "email": {d.Agent.Email}, "password": {"違うパスワード"}}
		if p := b.do("POST", "/login", f); p.status != http.StatusUnauthorized || !strings.Contains(p.body, "The email or password is not correct.") {
			t.Errorf("bad password: %d", p.status)
		}
		// Customers cannot use the workspace.
		f.Set("email", d.Customer.Email)
		f.Set("password", "password-end-user")
		if p := b.do("POST", "/login", f); p.status != http.StatusUnauthorized || !strings.Contains(p.body, "cannot use the agent workspace") {
			t.Errorf("customer login: %d", p.status)
		}

		// The agent's own locale wins over the browser's: 山田 uses Japanese.
		q := b.login(d.Agent.Email, "password-agent", false)
		if q.status != 200 || !strings.Contains(q.body, "未解決のすべて") || !strings.Contains(q.body, `lang="ja"`) {
			t.Fatalf("queue after Japanese sign-in: %d\n%.600s", q.status, q.body)
		}
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", d.Agent.ID), map[string]any{"user": map[string]any{"locale": "en-US"}})
		if q := b.do("GET", "/tickets", nil); !strings.Contains(q.body, "All unsolved") {
			t.Errorf("after locale en-US the queue is not in English")
		}
		// Cookies: HttpOnly and SameSite=Lax, not Secure on plain HTTP.
		r := newBrowser(t, d, "ja")
		lp = r.do("GET", "/login", nil)
		resp := r.do("POST", "/login", url.Values{"csrf": {lp.csrf(t)}, "email": {d.Agent.Email}, "password": {"password-agent"}, "remember": {"1"}})
		sc := resp.header.Get("Set-Cookie")
		for _, want := range []string{web.SessionCookie + "=", "HttpOnly", "SameSite=Lax", "Max-Age=2592000"} {
			if !strings.Contains(sc, want) {
				t.Errorf("session cookie %q lacks %q", sc, want)
			}
		}
	})
}

func TestCSRFAndSessions(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		// The sign-in form itself needs its double-submit token.
		b := newBrowser(t, d, "ja")
		b.do("GET", "/login", nil)
		if p := b.do("POST", "/login", url.Values{"email": {d.Agent.Email}, "password": {"password-agent"}}); p.status != http.StatusForbidden {
			t.Errorf("login without token: %d", p.status)
		}
		b.login(d.Agent.Email, "password-agent", true)
		tk := d.Must(201, d.Customer, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
			"subject": "配送状況を教えてください", "comment": map[string]any{"body": "注文番号①の配送状況は？"}}})
		id := int64(tk.Get("ticket.id").(float64))
		tp := b.do("GET", fmt.Sprintf("/tickets/%d", id), nil)
		token := tp.csrf(t)
		for name, form := range map[string]url.Values{
			"no token":    {"body": {"返信です"}, "mode": {"public"}},
			"wrong token": {"csrf": {"x" + token[1:]}, "body": {"返信です"}, "mode": {"public"}},
		} {
			if p := b.do("POST", fmt.Sprintf("/tickets/%d", id), form); p.status != http.StatusForbidden || !strings.Contains(p.body, "セキュリティトークン") {
				t.Errorf("%s: status %d", name, p.status)
			}
		}
		// A token from another session does not work either.
		other := newBrowser(t, d, "ja")
		other.login(d.Admin.Email, "管理者のパスワード", false)
		if p := other.do("POST", fmt.Sprintf("/tickets/%d", id), url.Values{"csrf": {token}, "body": {"x"}}); p.status != http.StatusForbidden {
			t.Errorf("another session's token: %d", p.status)
		}
		if n := commentCount(t, d, id); n != 1 {
			t.Fatalf("rejected posts wrote comments: %d", n)
		}
		// With the token the reply goes through (and redirects).
		if p := b.do("POST", fmt.Sprintf("/tickets/%d", id), url.Values{"csrf": {token}, "body": {"確認いたします。"}, "mode": {"public"}}); p.status != http.StatusSeeOther {
			t.Fatalf("reply: %d\n%s", p.status, p.body)
		}

		// Sessions: the agent sees both of their browsers and revokes one.
		b2 := newBrowser(t, d, "ja")
		b2.login(d.Agent.Email, "password-agent", false)
		sp := b.do("GET", "/settings/sessions", nil)
		rows := regexp.MustCompile(`data-session="(\d+)"`).FindAllStringSubmatch(sp.body, -1)
		if len(rows) != 2 || !strings.Contains(sp.body, "このブラウザ") {
			t.Fatalf("session list has %d rows", len(rows))
		}
		var otherID string
		for _, m := range rows {
			if !strings.Contains(sp.body[strings.Index(sp.body, m[0]):][:400], "このブラウザ") {
				otherID = m[1]
			}
		}
		if p := b.do("POST", "/settings/sessions/"+otherID+"/revoke", url.Values{"csrf": {sp.csrf(t)}}); p.status != http.StatusSeeOther {
			t.Fatalf("revoke: %d", p.status)
		}
		if p := b2.do("GET", "/tickets", nil); p.status != http.StatusSeeOther {
			t.Errorf("revoked browser still signed in: %d", p.status)
		}
		if p := b.do("GET", "/tickets", nil); p.status != 200 {
			t.Errorf("revoking the other session signed this one out: %d", p.status)
		}
		// Someone else's session id cannot be revoked.
		sp = other.do("GET", "/settings/sessions", nil)
		if p := other.do("POST", "/settings/sessions/"+rows[0][1]+"/revoke", url.Values{"csrf": {sp.csrf(t)}}); p.status != http.StatusNotFound {
			t.Errorf("revoking another user's session: %d", p.status)
		}
		// Logout ends the session server-side and needs the token.
		qp := b.do("GET", "/tickets", nil)
		if p := b.do("POST", "/logout", url.Values{}); p.status != http.StatusForbidden {
			t.Errorf("logout without token: %d", p.status)
		}
		if p := b.do("POST", "/logout", url.Values{"csrf": {qp.csrf(t)}}); p.status != http.StatusSeeOther || p.loc != "/login" {
			t.Errorf("logout: %d %q", p.status, p.loc)
		}
		if p := b.do("GET", "/tickets", nil); p.status != http.StatusSeeOther {
			t.Errorf("after logout: %d", p.status)
		}
	})
}

func commentCount(t *testing.T, d *apptest.Desk, id int64) int64 {
	t.Helper()
	var n int64
	if err := d.App.Store.Read(t.Context(), func(tx *store.Tx) error {
		var err error
		n, err = tx.CountComments(id, false)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPasswordReset(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		srv := app.Lookup[*web.Server](d.App)
		var mails []string
		srv.Mail = func(tx *store.Tx, to, subject, body string) error {
			mails = append(mails, to+"\n"+subject+"\n"+body)
			return nil
		}
		old := newBrowser(t, d, "ja")
		old.login(d.Agent.Email, "password-agent", true)

		b := newBrowser(t, d, "ja")
		fp := b.do("GET", "/password/forgot", nil)
		for _, email := range []string{"nobody@example.jp", d.Customer.Email, strings.ToUpper(d.Agent.Email)} {
			p := b.do("POST", "/password/forgot", url.Values{"csrf": {fp.csrf(t)}, "email": {email}})
			// The answer is the same whether or not the address has an account.
			if p.status != 200 || !strings.Contains(p.body, `id="reset-sent"`) {
				t.Fatalf("forgot %s: %d", email, p.status)
			}
		}
		if len(mails) != 1 || !strings.HasPrefix(mails[0], d.Agent.Email+"\n【Kizuna】") {
			t.Fatalf("mails: %q", mails)
		}
		link := regexp.MustCompile(`http://[^\s]+/password/reset/[A-Za-z0-9_-]+`).FindString(mails[0])
		path := strings.TrimPrefix(link, d.URL)
		rp := b.do("GET", path, nil)
		if rp.status != 200 {
			t.Fatalf("reset page: %d", rp.status)
		}
		if p := b.do("POST", path, url.Values{"csrf": {rp.csrf(t)}, "password": {"短い"}, "password_again": {"短い"}}); p.status != 422 {
			t.Errorf("short password: %d", p.status)
		}
		newPW := "新しいパスワード①㈱髙ｶﾀｶﾅ"
		if p := b.do("POST", path, url.Values{"csrf": {rp.csrf(t)}, "password": {newPW}, "password_again": {newPW}}); p.status != http.StatusSeeOther {
			t.Fatalf("reset: %d\n%s", p.status, p.body)
		}
		// Used once only; the old sessions are gone; the new password works.
		if p := b.do("GET", path, nil); p.status != http.StatusNotFound {
			t.Errorf("reset link reused: %d", p.status)
		}
		if p := old.do("GET", "/tickets", nil); p.status != http.StatusSeeOther {
			t.Errorf("old session survived the reset: %d", p.status)
		}
		if q := b.login(d.Agent.Email, newPW, false); q.status != 200 {
			t.Errorf("new password: %d", q.status)
		}
		// Three links an hour at most.
		for range 4 {
			b.do("POST", "/password/forgot", url.Values{"csrf": {fp.csrf(t)}, "email": {d.Agent.Email}})
		}
		if len(mails) != 3 {
			t.Errorf("reset mails in an hour: %d, want 3", len(mails))
		}
	})
}

func TestPublicFormLimits(t *testing.T) {
	d := apptest.Start(t, "")
	b := newBrowser(t, d, "ja")
	lp := b.do("GET", "/login", nil)
	big := url.Values{"csrf": {lp.csrf(t)}, "email": {d.Agent.Email}, "password": {strings.Repeat("あ", 40000)}}
	if p := b.do("POST", "/login", big); p.status != http.StatusRequestEntityTooLarge {
		t.Errorf("huge sign-in form: %d", p.status)
	}
	// Bad UTF-8 and odd shapes are refused cleanly, never a 500.
	for _, f := range []url.Values{
		{"csrf": {lp.csrf(t)}, "email": {"\xff\xfe"}, "password": {"x"}},
		{"csrf": {lp.csrf(t)}, "email": {""}, "password": {""}},
	} {
		if p := b.do("POST", "/login", f); p.status >= 500 {
			t.Errorf("login with %q: %d", f.Get("email"), p.status)
		}
	}
	fp := b.do("GET", "/password/forgot", nil)
	if p := b.do("POST", "/password/forgot", url.Values{"csrf": {fp.csrf(t)}, "email": {"\xff"}}); p.status != 422 {
		t.Errorf("forgot with bad UTF-8: %d", p.status)
	}
	if p := b.do("GET", "/password/reset/not-a-token", nil); p.status != 404 {
		t.Errorf("unknown reset token: %d", p.status)
	}
}
