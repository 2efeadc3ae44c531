package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func builtApp() fstest.MapFS {
	return fstest.MapFS{
		"index.html":               {Data: []byte(`<!doctype html><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script>`)},
		"favicon.svg":              {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`)},
		"assets/index-abc123.js":   {Data: []byte(strings.Repeat("console.log('tend');\n", 200))},
		"assets/index-abc123.css":  {Data: []byte("body{margin:0}")},
		"assets/nested/.gitignore": {Data: []byte("")},
	}
}

func get(t *testing.T, h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHandlerServesBuiltApp(t *testing.T) {
	h := NewHandler(builtApp())

	cases := []struct {
		name, path   string
		status       int
		bodyContains string
		cache        string
		ctype        string
	}{
		{"root is index", "/", 200, `id="root"`, "no-cache", "text/html"},
		{"index by name", "/index.html", 200, `id="root"`, "no-cache", "text/html"},
		{"deep link falls back to index", "/patients/42", 200, `id="root"`, "no-cache", "text/html"},
		{"admin deep link", "/admin/users/new", 200, `id="root"`, "no-cache", "text/html"},
		{"hashed asset cached for long", "/assets/index-abc123.css", 200, "body{margin:0}", "public, max-age=31536000, immutable", "text/css"},
		{"plain file must revalidate", "/favicon.svg", 200, "<svg", "no-cache", "image/svg+xml"},
		{"missing asset is 404", "/assets/index-gone.js", 404, "", "no-store", ""},
		{"api is not the app", "/api/v1/nothing", 404, "", "", ""},
		{"api root is not the app", "/api", 404, "", "", ""},
		{"fhir is not the app", "/fhir/Patient", 404, "", "", ""},
		{"a path that merely starts like api", "/apiary", 200, `id="root"`, "no-cache", "text/html"},
		{"dot dot stays inside", "/../../etc/passwd", 200, `id="root"`, "no-cache", "text/html"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := get(t, h, c.path)
			if rec.Code != c.status {
				t.Fatalf("GET %s: status %d, want %d", c.path, rec.Code, c.status)
			}
			if c.bodyContains != "" && !strings.Contains(rec.Body.String(), c.bodyContains) {
				t.Errorf("GET %s: body %q lacks %q", c.path, rec.Body.String(), c.bodyContains)
			}
			if c.cache != "" && rec.Header().Get("Cache-Control") != c.cache {
				t.Errorf("GET %s: Cache-Control %q, want %q", c.path, rec.Header().Get("Cache-Control"), c.cache)
			}
			if c.ctype != "" && !strings.HasPrefix(rec.Header().Get("Content-Type"), c.ctype) {
				t.Errorf("GET %s: Content-Type %q, want %q", c.path, rec.Header().Get("Content-Type"), c.ctype)
			}
		})
	}
}

func TestHandlerSecurityHeaders(t *testing.T) {
	rec := get(t, NewHandler(builtApp()), "/")
	if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q", got)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q does not forbid framing", csp)
	}
}

func TestHandlerGzipsText(t *testing.T) {
	h := NewHandler(builtApp())
	rec := get(t, h, "/assets/index-abc123.js", "Accept-Encoding", "br, gzip")
	if rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", rec.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(plain), "console.log('tend');") {
		t.Errorf("unzipped body starts %q", string(plain[:20]))
	}

	rec = get(t, h, "/assets/index-abc123.js")
	if rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("gzip sent to a client that did not ask for it")
	}
	rec = get(t, h, "/assets/index-abc123.js", "Accept-Encoding", "gzip;q=0")
	if rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("gzip sent to a client that refused it")
	}
}

func TestHandlerServesPrecompressed(t *testing.T) {
	files := builtApp()
	js := files["assets/index-abc123.js"].Data
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(js)
	_ = zw.Close()
	files["assets/index-abc123.js.gz"] = &fstest.MapFile{Data: gz.Bytes()}
	files["assets/index-abc123.js.br"] = &fstest.MapFile{Data: []byte("brotli bytes")}
	h := NewHandler(files)

	cases := []struct{ accept, encoding, body string }{
		{"gzip, deflate, br", "br", "brotli bytes"},
		{"gzip, deflate", "gzip", gz.String()},
		{"br;q=0, gzip", "gzip", gz.String()},
		{"", "", string(js)},
	}
	for _, c := range cases {
		rec := get(t, h, "/assets/index-abc123.js", "Accept-Encoding", c.accept)
		if got := rec.Header().Get("Content-Encoding"); got != c.encoding {
			t.Errorf("Accept-Encoding %q: Content-Encoding = %q, want %q", c.accept, got, c.encoding)
		}
		if rec.Body.String() != c.body {
			t.Errorf("Accept-Encoding %q: body is not the %q file", c.accept, c.encoding)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "text/javascript; charset=utf-8" {
			t.Errorf("Accept-Encoding %q: Content-Type = %q", c.accept, ct)
		}
	}
}

func TestHandlerRejectsWrites(t *testing.T) {
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	rec := httptest.NewRecorder()
	NewHandler(builtApp()).ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %d, want 405", rec.Code)
	}
}

func TestHandlerWhenNotBuilt(t *testing.T) {
	h := NewHandler(fstest.MapFS{".keep": {Data: nil}})
	for _, p := range []string{"/", "/login", "/assets/index.js"} {
		rec := get(t, h, p)
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s: status %d", p, rec.Code)
		}
		body := rec.Body.String()
		if !strings.Contains(body, "the web app was not built") || !strings.Contains(body, "make web") {
			t.Errorf("GET %s: body does not explain how to build: %q", p, body)
		}
		if rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: the placeholder must not be cached", p)
		}
	}
	if rec := get(t, h, "/api/v1/me"); rec.Code != http.StatusNotFound {
		t.Errorf("API path answered %d by the web handler", rec.Code)
	}
}

// The embedded dist always exists (dist/.keep), built or not.
func TestEmbeddedDistLoads(t *testing.T) {
	rec := get(t, Handler(), "/")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET / = %d", rec.Code)
	}
	if Built() != strings.Contains(rec.Body.String(), `id="root"`) {
		t.Errorf("Built() = %v disagrees with what / served", Built())
	}
}
