package mqttdoor

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tend-health/tend/internal/readings"
)

// FuzzDecodeReadings holds the readings payload reader to its promises:
// it never panics, an accepted payload holds between one and MaxItems
// items, and what it accepts survives being written out and read again.
func FuzzDecodeReadings(f *testing.F) {
	for _, s := range []string{
		`{"readings":[{"type":"heart_rate","value":72,"unit":"/min","takenAt":"2026-11-22T10:00:00Z","externalId":"a"}]}`,
		`{"type":"blood_pressure","unit":"mmHg","takenAt":"2026-11-22T10:00:00Z","components":[{"key":"systolic","value":120},{"key":"diastolic","value":80}]}`,
		`[{"loinc":"8310-5","value":98.6,"unit":"[degF]","takenAt":"2026-11-22T10:00:00+01:00","flags":["x"],"batteryPercent":50}]`,
		`{"readings":[{`, `hello`, ``, `{"readings":[],"type":"x"}`, `{} {}`, `{"vaule":1}`, `null`, `[]`, `{"readings":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		items, err := decodeReadings(payload)
		if err != nil {
			if items != nil {
				t.Fatal("items with an error")
			}
			if !utf8.ValidString(err.Error()) && utf8.Valid(payload) {
				t.Fatalf("error text is not UTF-8: %q", err)
			}
			return
		}
		if len(items) == 0 || len(items) > readings.MaxItems {
			t.Fatalf("%d items accepted", len(items))
		}
		b, err := json.Marshal(map[string]any{"readings": items})
		if err != nil {
			t.Fatalf("accepted items cannot be written out: %v", err)
		}
		again, err := decodeReadings(b)
		if err != nil || len(again) != len(items) {
			t.Fatalf("written out and read again: %d items, %v", len(again), err)
		}
		contentIDs(items)
		for _, it := range items {
			if it.ExternalID == "" {
				t.Fatal("an item left without an external id")
			}
		}
	})
}

// FuzzTopic checks that no topic lets a device out of its own branch.
func FuzzTopic(f *testing.F) {
	const dev = "0193a7d2-1111-7000-8000-000000000001"
	for _, s := range []string{
		"tend/devices/" + dev + "/readings", "tend/devices/" + dev + "/gatt/2A35", "tend/devices/" + dev + "/results",
		"tend/devices/other/readings", "tend/devices/+/results", "#", "tend/devices/" + dev, "tend/devices/" + dev + "/",
		"tend/devices/" + dev + "/gatt/", "tend/devices/" + dev + "/gatt/a/b", "$SYS/x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, topic string) {
		inBranch := strings.HasPrefix(topic, "tend/devices/"+dev+"/") && len(topic) > len("tend/devices/"+dev+"/")
		r, ok := parseTopic(topic, dev)
		if ok != inBranch {
			t.Fatalf("parseTopic(%q) in branch = %v", topic, ok)
		}
		if mayPublish(topic, dev) && (!inBranch || r.kind == kindResults) {
			t.Fatalf("may publish to %q", topic)
		}
		if maySubscribe(topic, dev) != inBranch {
			t.Fatalf("maySubscribe(%q) wrong", topic)
		}
		if r.kind == kindGATT && (r.characteristic == "" || strings.Contains(r.characteristic, "/")) {
			t.Fatalf("gatt characteristic %q from %q", r.characteristic, topic)
		}
		// Another device's id never opens this branch, and this device's
		// id never opens another's.
		if _, ok := parseTopic(topic, "tend"); ok && strings.HasPrefix(topic, "tend/devices/"+dev+"/") {
			t.Fatalf("device tend reaches %q", topic)
		}
	})
}
