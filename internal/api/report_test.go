package api_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
)

func init() {
	w, o := only(200, 404, "patA", "nurseCare", "family")
	addRows(map[string]row{
		"summaries.report": {method: "GET", path: "/api/v1/patients/{patA}/report.pdf?days=7", want: w, other: o},
	})
}

// reportsWritten numbers the reports kept for a person to look at.
var reportsWritten int

// pdfText runs poppler's pdftotext and pdfinfo on a PDF, which fail on a
// file a PDF reader could not open.
func pdfText(t *testing.T, pdf []byte) (text string, pages string) {
	t.Helper()
	for _, tool := range []string{"pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: install poppler-utils (scripts/test.sh does)", tool)
		}
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	info, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v: %s", err, info)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo gives no page count: %s", info)
	}
	// TEND_REPORT_OUT=dir keeps each report there, to be looked at.
	if dir := os.Getenv("TEND_REPORT_OUT"); dir != "" {
		reportsWritten++
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.pdf", strings.ReplaceAll(t.Name(), "/", "-"), reportsWritten)), pdf, 0o644)
	}
	return string(out), string(m[1])
}

func TestReportPDF(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.seedWeek(time.Now())
		patA := e.users["patA"].ID

		res, body := e.get("nurseCare", "/api/v1/patients/"+patA+"/report.pdf?days=14")
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" ||
			!strings.HasPrefix(res.Header.Get("Content-Disposition"), `attachment; filename="tend-report-`) {
			t.Fatalf("%d %v %.300s", res.StatusCode, res.Header, body)
		}
		pdf := []byte(body)
		if !bytes.HasPrefix(pdf, []byte("%PDF-1.")) || !bytes.Contains(pdf[len(pdf)-1024:], []byte("%%EOF")) {
			t.Fatalf("not a whole PDF: %q … %q", pdf[:16], pdf[len(pdf)-16:])
		}
		text, pages := pdfText(t, pdf)
		if pages != "2" {
			t.Errorf("%s pages, want 2", pages)
		}
		words := strings.Join(strings.Fields(text), " ")
		for _, want := range []string{
			"Home readings report", "Agnes Patient", "MRN MRN-AAA-111", "(14 days); times in Europe/Oslo",
			"Blood pressure at home", "24 readings on 6 days", "All readings 130/83 24 below",
			"Morning (04:00–12:00) 136/87 12 at or above", "Evening (18:00–24:00) 124/79 12 below",
			"Glucose", "Ambulatory glucose profile", "Consensus targets", "time in range 70–180 mg/dL",
			"take them as a sketch", "In range 70–180",
			"Weight", "13 weighings", "Change -1.2 kg", "Trend per week -0.70 kg",
			"Made by Tend on", "for Nina Care", "page 1 of 2", "page 2 of 2",
		} {
			if !strings.Contains(words, want) {
				t.Errorf("the report lacks %q:\n%s", want, text)
			}
		}

		// The reader's units, and a patient with nothing to report.
		res, body = e.get("patA", "/api/v1/patients/"+patA+"/report.pdf?glucoseUnit=mmol/L&weightUnit=%5Blb_av%5D")
		if res.StatusCode != 200 {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
		text, _ = pdfText(t, []byte(body))
		words = strings.Join(strings.Fields(text), " ")
		for _, want := range []string{"mmol/L", "In range 3.9–10.0", "Change -2.6 lb", "for Agnes Patient"} {
			if !strings.Contains(words, want) {
				t.Errorf("in mmol/L and pounds the report lacks %q:\n%s", want, text)
			}
		}
		res, body = e.get("patB", "/api/v1/patients/"+e.users["patB"].ID+"/report.pdf")
		if res.StatusCode != 200 {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
		text, pages = pdfText(t, []byte(body))
		words = strings.Join(strings.Fields(text), " ")
		if pages != "1" || !strings.Contains(words, "No blood pressure readings in the last seven days.") ||
			!strings.Contains(words, "No glucose readings in this period.") || !strings.Contains(words, "No weight readings in this period.") {
			t.Errorf("an empty report (%s pages):\n%s", pages, text)
		}

		for _, q := range []string{"glucoseUnit=mmol", "weightUnit=stone", "days=500"} {
			if res, body := e.get("patA", "/api/v1/patients/"+patA+"/report.pdf?"+q); res.StatusCode != 422 {
				t.Errorf("?%s: %d %.200s", q, res.StatusCode, body)
			}
		}
	})
}
