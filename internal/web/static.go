package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"
)

//go:embed static
var staticFS embed.FS

// staticFiles are the embedded scripts and stylesheet by name. They are
// served under /static/<hash>/<name>, where hash covers every file: pages
// and the modules' relative imports then all point at one immutable
// generation, cached for a year, and a new binary gets new URLs.
var staticFiles, staticHash = func() (map[string][]byte, string) {
	files := map[string][]byte{}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		files[strings.TrimPrefix(p, "static/")] = b
		return err
	})
	if err != nil {
		panic(err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		h.Write([]byte(n + "\x00"))
		h.Write(files[n])
	}
	return files, hex.EncodeToString(h.Sum(nil))[:12]
}()

var staticPrefix = "/static/" + staticHash

var startTime = time.Now()

// static serves /static/<hash>/<name>. An old hash (a page from before an
// upgrade) still gets the current file, revalidated instead of cached.
func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/static/")
	hash, name, ok := strings.Cut(rest, "/")
	body, found := staticFiles[name]
	if !ok || !found || strings.Contains(name, "..") {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	ctype := mime.TypeByExtension(path.Ext(name))
	if strings.HasSuffix(name, ".js") {
		ctype = "text/javascript; charset=utf-8"
	}
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", `"`+staticHash+`"`)
	if hash == staticHash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, name, startTime, bytes.NewReader(body))
}
