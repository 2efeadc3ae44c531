package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/people"
)

// Readings and journal entries say who entered and who corrected them, by
// name where the reader may know it: staff, family, the patient and the
// reader are named; anyone else (here a family member who has since lost
// that role) is "another Tend user" to everyone but herself.
func TestReadingsAndJournalNameWhoEnteredThem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		patA, patB := e.users["patA"].ID, e.users["patB"].ID
		if _, err := e.people.Update(ctx, patB, people.Patch{Roles: []people.Role{people.Patient, people.Family}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.access.Share(ctx, e.principal("patA"), patA, access.NewShare{GranteeEmail: e.users["patB"].Email,
			Scopes: []access.Scope{access.Vitals, access.Journal}}); err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/patients/" + patA
		for _, who := range []string{"nurseCare", "patB"} {
			if status, body := e.do(who, "POST", path+"/readings", map[string]any{"readings": []any{heartRate(80, who)}}); status != 200 || !strings.Contains(body, `"stored":1`) {
				t.Fatalf("%s: %d %s", who, status, body)
			}
			if status, body := e.do(who, "POST", path+"/journal", map[string]any{"kind": "note",
				"occurredAt": time.Now().Add(-time.Minute).Format(time.RFC3339), "note": "by " + who}); status != 201 ||
				!strings.Contains(body, `"enteredByName":"`+e.users[who].Name+`"`) {
				t.Fatalf("%s: %d %s", who, status, body)
			}
		}
		var page struct {
			Readings []struct {
				ID         string
				ExternalID string `json:"externalId"`
			}
		}
		e.getJSON("nurseCare", path+"/readings", &page)
		var patBReading string
		for _, r := range page.Readings {
			if r.ExternalID == "patB" {
				patBReading = r.ID
			}
		}
		if status, body := e.do("nurseCare", "POST", path+"/readings/"+patBReading+"/entered-in-error", map[string]string{"reason": "wrong patient"}); status != 200 ||
			!strings.Contains(body, `"byName":"Nina Care"`) || !strings.Contains(body, `"enteredByName":"Bertil Hidden"`) {
			t.Fatalf("%d %s", status, body)
		}
		// No longer family: no longer named to others.
		if _, err := e.people.Update(ctx, patB, people.Patch{Roles: []people.Role{people.Patient}}); err != nil {
			t.Fatal(err)
		}
		for _, reader := range []string{"nurseCare", "patA"} {
			for _, list := range []string{"/readings?includeEnteredInError=true", "/journal"} {
				status, body := e.do(reader, "GET", path+list, nil)
				if status != 200 || !strings.Contains(body, `"enteredByName":"Nina Care"`) ||
					!strings.Contains(body, `"enteredByName":"another Tend user"`) || strings.Contains(body, "Bertil") {
					t.Errorf("%s %s: %d %s", reader, list, status, body)
				}
				if list != "/journal" && !strings.Contains(body, `"byName":"Nina Care"`) {
					t.Errorf("%s %s: the correction is not named: %s", reader, list, body)
				}
			}
		}
		names, err := e.people.NamesIn(ctx, patB, patA, []string{patB, e.users["nurseCare"].ID, "no-such-user"})
		if err != nil || len(names) != 2 || names[patB] != "Bertil Hidden" || names[e.users["nurseCare"].ID] != "Nina Care" {
			t.Errorf("as seen by herself: %v %v", names, err)
		}
	})
}

// GET /devices narrows by enabled and assigned.
func TestDeviceListFilters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		assigned, _ := e.newDevice("patA")
		loose, _ := e.newDevice("")
		off, _ := e.newDevice("")
		if _, err := e.devices.SetEnabled(context.Background(), off.ID, false); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string][]string{
			"":                             {assigned.ID, loose.ID, off.ID},
			"?assigned=true":               {assigned.ID},
			"?assigned=false":              {loose.ID, off.ID},
			"?enabled=false":               {off.ID},
			"?enabled=true&assigned=false": {loose.ID},
			"?enabled=false&assigned=true": {},
		} {
			var out struct{ Devices []struct{ ID string } }
			e.getJSON("admin", "/api/v1/devices"+q, &out)
			var got []string
			for _, dv := range out.Devices {
				got = append(got, dv.ID)
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%q: %v, want %v", q, got, want)
			}
		}
		if status, body := e.do("admin", "GET", "/api/v1/devices?enabled=maybe", nil); status != 422 || !strings.Contains(body, "enabled") {
			t.Errorf("enabled=maybe: %d %s", status, body)
		}
	})
}

// A refused reading names its wrong fields as {field, message}; a problem
// lists them as errors with location and message.
func TestFieldErrorShapes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		path := "/api/v1/patients/" + e.users["patA"].ID
		status, body := e.do("patA", "POST", path+"/readings", map[string]any{"readings": []any{heartRate(900, "")}})
		if status != 200 || !strings.Contains(body, `"fields":[{"field":"value","message":"`) {
			t.Errorf("refused reading: %d %s", status, body)
		}
		status, body = e.do("patA", "POST", path+"/journal", map[string]any{"kind": "dream", "occurredAt": time.Now().Format(time.RFC3339)})
		if status != 422 || !strings.Contains(body, `"errors":[{"message":"`) || !strings.Contains(body, `"location":"body.kind"`) {
			t.Errorf("problem: %d %s", status, body)
		}
	})
}

// getJSON reads path as caller into v, failing the test unless it is 200.
func (e *env) getJSON(caller, path string, v any) {
	e.t.Helper()
	status, body := e.do(caller, "GET", path, nil)
	if status != 200 {
		e.t.Fatalf("GET %s as %s: %d %s", path, caller, status, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		e.t.Fatal(err)
	}
}
