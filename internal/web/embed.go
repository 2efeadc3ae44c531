// Package web serves Tend's browser app: the files Vite builds from /web into
// dist, embedded in the binary so that one file is the whole product.
//
// The app is built with `make web` (or `npm --prefix web run build`). Without a
// build, dist holds only .keep and the handler answers with a page that says
// how to build it, so Go builds and tests never need Node.
package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

//go:embed all:dist
var embedded embed.FS

// Dist is the built app, rooted at dist.
func Dist() fs.FS {
	sub, err := fs.Sub(embedded, "dist")
	if err != nil {
		panic(err) // dist is embedded at compile time: it is always there
	}
	return sub
}

// Built reports whether the embedded app has an index.html.
func Built() bool { return hasIndex(Dist()) }

// Handler serves the embedded app.
func Handler() http.Handler { return NewHandler(Dist()) }

// NewHandler serves the single-page app in files:
//   - files that exist are served as they are; hashed files under /assets/ may
//     be cached for a year, anything else must be revalidated;
//   - any other path that is not under /api/ or /fhir/ gets index.html, so the
//     app's own router can show it (deep links, reloads);
//   - a missing file under /assets/ is a 404, never index.html, so a stale
//     page gets an error rather than HTML where it expected a script;
//   - text is sent brotli- or gzip-compressed as the browser accepts, from
//     the .br and .gz files the build writes beside each file.
func NewHandler(files fs.FS) http.Handler {
	return &handler{files: files, built: hasIndex(files)}
}

type handler struct {
	files fs.FS
	built bool
	gz    sync.Map // file name → *gzipped, compressed once on first request
}

type gzipped struct {
	once sync.Once
	data []byte
}

func hasIndex(files fs.FS) bool {
	st, err := fs.Stat(files, "index.html")
	return err == nil && !st.IsDir()
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	if isAPIPath(p) {
		http.NotFound(w, r)
		return
	}
	setSecurityHeaders(w.Header())
	if !h.built {
		notBuilt(w, r)
		return
	}

	name := strings.TrimPrefix(path.Clean("/"+p), "/")
	if name != "" && name != "index.html" {
		if st, err := fs.Stat(h.files, name); err == nil && !st.IsDir() {
			if strings.HasPrefix(name, "assets/") {
				w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			} else {
				w.Header().Set("Cache-Control", "no-cache")
			}
			h.serveFile(w, r, name, st.ModTime())
			return
		}
		if strings.HasPrefix(name, "assets/") {
			w.Header().Set("Cache-Control", "no-store")
			http.NotFound(w, r)
			return
		}
	}
	w.Header().Set("Cache-Control", "no-cache")
	h.serveFile(w, r, "index.html", time.Time{})
}

// isAPIPath tells the paths that belong to the server, not to the app.
func isAPIPath(p string) bool {
	for _, prefix := range []string{"/api", "/fhir"} {
		if p == prefix || strings.HasPrefix(p, prefix+"/") {
			return true
		}
	}
	return false
}

func setSecurityHeaders(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "+
		"img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; font-src 'self' data:; "+
		"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
}

func (h *handler) serveFile(w http.ResponseWriter, r *http.Request, name string, mod time.Time) {
	data, err := fs.ReadFile(h.files, name)
	if err != nil {
		http.Error(w, "could not read "+name, http.StatusInternalServerError)
		return
	}
	ctype := contentType(name)
	w.Header().Set("Content-Type", ctype)
	if compressible(ctype) && len(data) > 1024 {
		w.Header().Add("Vary", "Accept-Encoding")
		if enc, z := h.compressed(r, name, data); z != nil {
			w.Header().Set("Content-Encoding", enc)
			http.ServeContent(w, r, name, mod, bytes.NewReader(z))
			return
		}
	}
	http.ServeContent(w, r, name, mod, bytes.NewReader(data))
}

// compressed picks the smallest encoding the client accepts. The build
// writes name.br and name.gz beside each file (web/vite.config.ts), so
// nothing is compressed while a browser waits; a file without them is
// gzipped here, once.
func (h *handler) compressed(r *http.Request, name string, data []byte) (string, []byte) {
	for _, enc := range []struct{ name, ext string }{{"br", ".br"}, {"gzip", ".gz"}} {
		if !accepts(r, enc.name) {
			continue
		}
		if z, err := fs.ReadFile(h.files, name+enc.ext); err == nil {
			return enc.name, z
		}
	}
	if accepts(r, "gzip") {
		if z := h.gzipOf(name, data); z != nil {
			return "gzip", z
		}
	}
	return "", nil
}

func (h *handler) gzipOf(name string, data []byte) []byte {
	v, _ := h.gz.LoadOrStore(name, &gzipped{})
	g := v.(*gzipped)
	g.once.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if _, err := zw.Write(data); err == nil && zw.Close() == nil {
			g.data = buf.Bytes()
		}
	})
	return g.data
}

// accepts tells whether the request's Accept-Encoding allows the encoding.
func accepts(r *http.Request, encoding string) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), encoding) {
			return !strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0")
		}
	}
	return false
}

var types = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".webmanifest": "application/manifest+json",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".ico":         "image/x-icon",
	".woff2":       "font/woff2",
	".txt":         "text/plain; charset=utf-8",
	".map":         "application/json",
	".wasm":        "application/wasm",
}

func contentType(name string) string {
	if t, ok := types[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "json") ||
		strings.Contains(ctype, "svg") || strings.Contains(ctype, "wasm")
}

const notBuiltPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tend: the web app was not built</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f5f7f9;color:#1f2933;margin:0;display:grid;place-items:center;min-height:100vh}
main{max-width:32rem;margin:1rem;padding:2rem;background:#fff;border:1px solid #dde3e8;border-radius:12px}
h1{font-size:1.35rem;margin:0 0 .75rem;color:#0b7285}
code{background:#eef2f5;padding:.1rem .35rem;border-radius:4px}
</style>
</head>
<body>
<main>
<h1>Tend is running, but the web app was not built</h1>
<p>This binary was compiled without the browser app. Build it, then rebuild <code>tend</code>:</p>
<p><code>make web</code></p>
<p>The API under <code>/api/v1/</code> works as usual.</p>
</main>
</body>
</html>
`

func notBuilt(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = io.WriteString(w, notBuiltPage)
	}
}
