package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// started runs `tend serve` in the background and returns its URL once it
// answers /healthz; the server stops when the test ends, and must stop cleanly.
func started(t testing.TB, env map[string]string, args ...string) (url string, out *strings.Builder) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		args := append([]string{"serve", "--mqtt-addr", "127.0.0.1:0", "--mllp-addr", "127.0.0.1:0"}, args...)
		done <- run(ctx, args, func(k string) string { return env[k] }, nil, pw, io.Discard)
		pw.Close()
	}()
	out = &strings.Builder{}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(20 * time.Second)
	for url == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("tend serve ended early: %v\n%s", <-done, out)
			}
			out.WriteString(line + "\n")
			if _, rest, ok := strings.Cut(line, "is listening on "); ok {
				url = strings.Fields(rest)[0]
			}
		case <-deadline:
			t.Fatalf("tend serve did not start:\n%s", out)
		}
	}
	go func() {
		for range lines {
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("tend serve did not stop cleanly: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("tend serve did not stop within 20 s")
		}
	})
	return url, out
}

func runJSON(t testing.TB, stdin string, args ...string) map[string]any {
	t.Helper()
	var out strings.Builder
	if err := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(stdin), &out, io.Discard); err != nil {
		t.Fatalf("tend %s: %v", strings.Join(args, " "), err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out.String()), &m); err != nil {
		t.Fatalf("tend %s printed no JSON: %q", strings.Join(args, " "), out.String())
	}
	return m
}

func TestAdminCommandsWhileServing(t *testing.T) {
	dir := t.TempDir()
	url, _ := started(t, map[string]string{"TEND_DATA_DIR": dir}, "--addr", "127.0.0.1:0")
	user := runJSON(t, "a very good password\n", "admin", "user", "add", "--data-dir", dir, "--email", "ops@example.org",
		"--name", "Ops Person", "--role", "admin", "--role", "doctor", "--password-stdin")
	if user["id"] == "" || len(user["roles"].([]any)) != 2 {
		t.Fatalf("user add printed %v", user)
	}
	tok := runJSON(t, "", "admin", "token", "create", "--data-dir", dir, "--email", "ops@example.org", "--label", "ci")
	token, _ := tok["token"].(string)
	if !strings.HasPrefix(token, "tend_pat_") {
		t.Fatalf("token create printed %v", tok)
	}
	req, _ := http.NewRequest("GET", url+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var me map[string]any
	json.NewDecoder(res.Body).Decode(&me)
	res.Body.Close()
	if res.StatusCode != 200 || me["email"] != "ops@example.org" {
		t.Fatalf("the running server does not know the new user: %d %v", res.StatusCode, me)
	}
	runJSON(t, "", "admin", "user", "add", "--data-dir", dir, "--email", "pat@example.org", "--name", "Pat", "--role", "patient")
	dev := runJSON(t, "", "admin", "device", "add", "--data-dir", dir, "--kind", "blood_pressure_monitor", "--serial", "SN-1",
		"--maker", "Acme", "--eui64", "01-23-45-67-89-ab-cd-ef", "--patient", "pat@example.org")
	if dev["id"] == "" || dev["credential"] == "" || dev["eui64"] != "0123456789ABCDEF" || dev["patientId"] == nil {
		t.Fatalf("device add printed %v", dev)
	}
	// Bad input to the shell gets a clear error and no JSON.
	var out strings.Builder
	err = run(context.Background(), []string{"admin", "user", "add", "--data-dir", dir, "--email", "x@example.org", "--name", "X", "--role", "wizard"},
		func(string) string { return "" }, strings.NewReader(""), &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "wizard") || out.Len() != 0 {
		t.Fatalf("a bad role: err %v, out %q", err, out.String())
	}
}

func TestServeDemoOnce(t *testing.T) {
	dir := t.TempDir()
	url, out := started(t, nil, "--addr", "127.0.0.1:0", "--data-dir", dir, "--demo")
	if !strings.Contains(out.String(), "Loaded the demo clinic") || !strings.Contains(out.String(), "admin@demo.tend.example") {
		t.Fatalf("demo not announced:\n%s", out)
	}
	res, err := http.Post(url+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"email":"nurse.garcia@demo.tend.example","password":"tend-demo-password"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("demo login: %d", res.StatusCode)
	}
}

func TestDemoIsLoadedOnlyOnce(t *testing.T) {
	dir := t.TempDir()
	for i, want := range []string{"Loaded the demo clinic", "already loaded"} {
		t.Run(want, func(t *testing.T) {
			_, out := started(t, nil, "--addr", "127.0.0.1:0", "--data-dir", dir, "--demo")
			if !strings.Contains(out.String(), want) {
				t.Errorf("run %d: want %q in\n%s", i, want, out.String())
			}
		})
	}
}

func TestServeTLSMarksCookiesSecure(t *testing.T) {
	dir := t.TempDir()
	cert, key := selfSigned(t, dir)
	url, _ := started(t, nil, "--addr", "127.0.0.1:0", "--data-dir", dir, "--demo", "--tls-cert", cert, "--tls-key", key)
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("TLS server at %s", url)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	res, err := client.Post(url+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"email":"admin@demo.tend.example","password":"tend-demo-password"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if len(res.Cookies()) == 0 {
		t.Fatal("no cookies")
	}
	for _, c := range res.Cookies() {
		if !c.Secure {
			t.Errorf("cookie %s is not Secure over TLS", c.Name)
		}
	}
	if res.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS over TLS")
	}
}

func TestTakenAddressSaysWhichFlag(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = run(context.Background(), []string{"serve", "--addr", ln.Addr().String(), "--data-dir", t.TempDir(),
		"--mqtt-addr", "127.0.0.1:0", "--mllp-addr", "127.0.0.1:0"}, func(string) string { return "" }, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--addr") {
		t.Fatalf("want an error naming --addr, got %v", err)
	}
	// A taken MQTT or MLLP port names its flag too (Mosquitto may hold 1883).
	for _, flag := range []string{"--mqtt-addr", "--mllp-addr"} {
		args := []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--mqtt-addr", "127.0.0.1:0", "--mllp-addr", "127.0.0.1:0"}
		for i := range args {
			if args[i] == flag {
				args[i+1] = ln.Addr().String()
			}
		}
		err = run(context.Background(), args, func(string) string { return "" }, nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), flag) {
			t.Errorf("a taken port for %s: %v", flag, err)
		}
	}
}

func TestVersionAndUnknownCommand(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), []string{"version"}, os.Getenv, nil, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "tend ") {
		t.Fatalf("version: %v %q", err, out.String())
	}
	if err := run(context.Background(), []string{"frobnicate"}, os.Getenv, nil, io.Discard, io.Discard); err == nil {
		t.Fatal("an unknown command was accepted")
	}
}

func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	return certFile, keyFile
}
