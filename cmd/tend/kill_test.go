package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/db"
)

// A reading Tend acknowledged is on disk: the real binary is killed with
// SIGKILL while four devices stream batches into it, and every reading it
// answered "stored" must be in the database afterwards.
func TestAcknowledgedReadingsSurviveKill9(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(t.TempDir(), "tend")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building tend: %v\n%s", err, out)
	}
	runJSON(t, "", "admin", "user", "add", "--data-dir", dir, "--email", "k@example.org", "--name", "K", "--role", "patient")
	type device struct{ id, secret string }
	var devs []device
	for i := range 4 {
		d := runJSON(t, "", "admin", "device", "add", "--data-dir", dir, "--kind", "heart_rate_strap",
			"--serial", fmt.Sprint("K-", i), "--patient", "k@example.org")
		devs = append(devs, device{d["id"].(string), d["credential"].(string)})
	}
	time.Sleep(10 * time.Millisecond) // readings are taken after the assignments began

	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data-dir", dir, "--mqtt-addr", "", "--mllp-addr", "")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var url string
	sc := bufio.NewScanner(stdout)
	for url == "" && sc.Scan() {
		if _, rest, ok := strings.Cut(sc.Text(), "is listening on "); ok {
			url = strings.Fields(rest)[0]
		}
	}
	if url == "" {
		t.Fatal("tend did not start")
	}
	go io.Copy(io.Discard, stdout)

	var mu sync.Mutex
	acked := map[string]bool{}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, d := range devs {
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				var items []string
				var ids []string
				for i := range 50 {
					id := fmt.Sprintf("%s-%d-%d", d.id, n, i)
					ids = append(ids, id)
					items = append(items, fmt.Sprintf(`{"type":"heart_rate","value":%d,"unit":"/min","takenAt":%q,"externalId":%q}`,
						60+i, time.Now().UTC().Format(time.RFC3339Nano), id))
				}
				req, _ := http.NewRequest("POST", url+"/api/v1/readings", strings.NewReader(`{"readings":[`+strings.Join(items, ",")+`]}`))
				req.Header.Set("Content-Type", "application/json")
				req.SetBasicAuth(d.id, d.secret)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					return // the server is gone
				}
				var out struct {
					Results []struct{ Outcome, ExternalID string }
				}
				err = json.NewDecoder(res.Body).Decode(&out)
				res.Body.Close()
				if err != nil || res.StatusCode != 200 {
					return
				}
				mu.Lock()
				for _, r := range out.Results {
					if r.Outcome == "stored" {
						acked[r.ExternalID] = true
					}
				}
				mu.Unlock()
			}
		})
	}
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL) // mid-stream: batches are in flight
	cmd.Wait()
	stop()
	wg.Wait()

	d, err := db.Open(context.Background(), db.Config{URL: "sqlite:" + filepath.Join(dir, "tend.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rows, err := d.R.Query(`SELECT external_id FROM measurements`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	onDisk := map[string]bool{}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		onDisk[id] = true
	}
	if len(acked) < 100 {
		t.Fatalf("only %d readings were acknowledged before the kill: the test proves little", len(acked))
	}
	lost := 0
	for id := range acked {
		if !onDisk[id] {
			lost++
		}
	}
	t.Logf("acknowledged %d readings before kill -9; %d on disk afterwards (some unacknowledged ones too)", len(acked), len(onDisk))
	if lost > 0 {
		t.Errorf("%d of %d acknowledged readings were lost by kill -9", lost, len(acked))
	}
}
