package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/tend-health/tend/internal/appointments"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/notify"
	"github.com/tend-health/tend/internal/people"
)

// quietAppointments is the appointments service without an audit log, to
// prepare a row without adding to the audit trail the tests count.
func (e *env) quietAppointments() *appointments.Service {
	return appointments.New(e.api.DB, clock.Real{}, e.access, nil)
}

// openAllWeek gives a professional 15-minute slots around the clock, in UTC.
func (e *env) openAllWeek(key string) {
	e.t.Helper()
	var weekly []appointments.WeeklyHours
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		weekly = append(weekly, appointments.WeeklyHours{Weekday: d, Start: "00:00", End: "24:00", Kind: appointments.InPerson})
	}
	if _, err := e.quietAppointments().SetAvailability(context.Background(), e.principal(key), e.users[key].ID,
		appointments.NewAvailability{TimeZone: "UTC", SlotMinutes: 15, Weekly: weekly}); err != nil {
		e.t.Fatal(err)
	}
}

// freeSlot returns the start of a 15-minute slot no other call has used.
func (e *env) freeSlot() time.Time {
	day := time.Now().UTC().Truncate(24 * time.Hour).Add(48 * time.Hour)
	return day.Add(time.Duration(e.counter.Add(1)) * 15 * time.Minute)
}

// bookWithNurse books a slot of nurseCare for patA, quietly.
func (e *env) bookWithNurse() appointments.Appointment {
	e.t.Helper()
	e.openAllWeek("nurseCare")
	a, err := e.quietAppointments().Book(context.Background(), e.principal("patA"), appointments.NewBooking{
		PatientID: e.users["patA"].ID, ProfessionalID: e.users["nurseCare"].ID, Start: e.freeSlot(), Reason: "check-up"})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func allWeekBody(*env) any {
	var weekly []map[string]string
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		weekly = append(weekly, map[string]string{"weekday": d, "start": "00:00", "end": "24:00", "kind": "in_person"})
	}
	return map[string]any{"timeZone": "UTC", "slotMinutes": 15, "weekly": weekly}
}

func init() {
	nurse := func(e *env) map[string]string { return map[string]string{"{nurse}": e.users["nurseCare"].ID} }
	withHours := func(e *env) map[string]string {
		e.openAllWeek("nurseCare")
		m := nurse(e)
		m["{slot}"] = e.freeSlot().Format(time.RFC3339)
		m["{from}"] = url.QueryEscape(time.Now().UTC().Format(time.RFC3339))
		m["{to}"] = url.QueryEscape(time.Now().UTC().Add(24 * time.Hour).Format(time.RFC3339))
		return m
	}
	withException := func(e *env) map[string]string {
		e.openAllWeek("nurseCare")
		x, err := e.quietAppointments().AddException(context.Background(), e.principal("nurseCare"), e.users["nurseCare"].ID,
			appointments.NewException{Kind: appointments.Off, From: time.Now().AddDate(0, 0, 200).Format(time.DateOnly)})
		if err != nil {
			e.t.Fatal(err)
		}
		m := nurse(e)
		m["{exception}"] = x.ID
		return m
	}
	withBooking := func(e *env) map[string]string {
		a := e.bookWithNurse()
		return map[string]string{"{appt}": a.ID, "{slot}": e.freeSlot().Format(time.RFC3339)}
	}
	hours := func(status int) (map[string]int, int) { return only(status, 403, "nurseCare", "admin") }
	bookers := func(status int) (map[string]int, int) { return only(status, 404, "patA", "nurseCare") }

	rows := map[string]row{}
	w, o := only(200, 404, "patA", "nurseCare", "admin")
	rows["availability.read"] = row{method: "GET", path: "/api/v1/professionals/{nurse}/availability", want: w, other: o, prepare: nurse}
	rows["slots.list"] = row{method: "GET", path: "/api/v1/professionals/{nurse}/slots?from={from}&to={to}", want: w, other: o, prepare: withHours}
	w, o = hours(200)
	rows["availability.set"] = row{method: "PUT", path: "/api/v1/professionals/{nurse}/availability", want: w, other: o,
		prepare: nurse, body: allWeekBody}
	w, o = hours(201)
	rows["availability.exceptions.add"] = row{method: "POST", path: "/api/v1/professionals/{nurse}/availability/exceptions", want: w, other: o,
		prepare: withHours, body: func(e *env) any {
			return map[string]any{"kind": "off", "from": time.Now().AddDate(0, 0, 100+int(e.counter.Add(1))).Format(time.DateOnly), "note": "leave"}
		}}
	w, o = hours(204)
	rows["availability.exceptions.remove"] = row{method: "DELETE", path: "/api/v1/professionals/{nurse}/availability/exceptions/{exception}",
		want: w, other: o, prepare: withException}

	w, o = bookers(200)
	rows["professionals.list"] = row{method: "GET", path: "/api/v1/patients/{patA}/professionals", want: w, other: o}
	rows["appointments.list"] = row{method: "GET", path: "/api/v1/patients/{patA}/appointments?from=2026-01-01T00:00:00Z&to=2026-04-01T00:00:00Z", want: w, other: o}
	rows["appointments.read"] = row{method: "GET", path: "/api/v1/patients/{patA}/appointments/{appt}", want: w, other: o, prepare: withBooking}
	rows["appointments.history"] = row{method: "GET", path: "/api/v1/patients/{patA}/appointments/{appt}/history", want: w, other: o, prepare: withBooking}
	rows["appointments.cancel"] = row{method: "POST", path: "/api/v1/appointments/{appt}/cancel", want: w, other: o, prepare: withBooking,
		body: func(*env) any { return map[string]string{"reason": "feeling better"} }}
	w, o = bookers(201)
	rows["appointments.book"] = row{method: "POST", path: "/api/v1/appointments", want: w, other: o, prepare: withHours,
		body: func(*env) any {
			return map[string]string{"patientId": "{patA}", "professionalId": "{nurse}", "start": "{slot}", "reason": "check-up"}
		}}
	rows["appointments.reschedule"] = row{method: "POST", path: "/api/v1/appointments/{appt}/reschedule", want: w, other: o, prepare: withBooking,
		body: func(*env) any { return map[string]string{"start": "{slot}", "reason": "clash with work"} }}
	w, o = bookers(404)
	w["patA"], w["nurseCare"] = 403, 409 // only the professional, and only once it has started
	rows["appointments.done"] = row{method: "POST", path: "/api/v1/appointments/{appt}/done", want: w, other: o, prepare: withBooking}

	w, o = only(200, 403, "nurseCare", "nurseNone")
	rows["appointments.mine"] = row{method: "GET", path: "/api/v1/me/appointments?date=2026-03-09&view=week", want: w, other: o}
	rows["calendarfeed.read"] = row{method: "GET", path: "/api/v1/me/calendar-feed", want: signedIn(200)}
	rows["calendarfeed.reset"] = row{method: "POST", path: "/api/v1/me/calendar-feed", want: signedIn(200)}
	rows["calendarfeed.disable"] = row{method: "DELETE", path: "/api/v1/me/calendar-feed", want: signedIn(204)}
	addRows(rows)
}

// decode reads a JSON answer into v, failing the test when it cannot.
func decode[T any](t testing.TB, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decoding %T from %s: %v", v, body, err)
	}
	return v
}

// publishNewYorkHours has doctorX, on patA's care team, publish weekday
// mornings in New York through the API.
func (e *env) publishNewYorkHours() {
	e.t.Helper()
	doc := e.users["doctorX"].ID
	if status, body := e.do("admin", "POST", "/api/v1/patients/"+e.users["patA"].ID+"/care-team", map[string]string{"userId": doc}); status != 201 {
		e.t.Fatalf("care team: %d %s", status, body)
	}
	var weekly []map[string]string
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
		weekly = append(weekly, map[string]string{"weekday": d, "start": "09:00", "end": "12:00", "kind": "in_person"})
	}
	status, body := e.do("doctorX", "PUT", "/api/v1/professionals/"+doc+"/availability",
		map[string]any{"timeZone": "America/New_York", "slotMinutes": 30, "weekly": weekly})
	if status != 200 {
		e.t.Fatalf("publishing hours: %d %s", status, body)
	}
}

type slotsAnswer struct {
	Slots []struct {
		appointments.Slot
		PatientTime *appointments.LocalSpan `json:"patientTime"`
	} `json:"slots"`
}

func (e *env) slots(caller, professionalID, patientID string) slotsAnswer {
	e.t.Helper()
	q := url.Values{"from": {time.Now().UTC().Format(time.RFC3339)}, "to": {time.Now().UTC().Add(14 * 24 * time.Hour).Format(time.RFC3339)}}
	if patientID != "" {
		q.Set("patientId", patientID)
	}
	status, body := e.do(caller, "GET", "/api/v1/professionals/"+professionalID+"/slots?"+q.Encode(), nil)
	if status != 200 {
		e.t.Fatalf("slots: %d %s", status, body)
	}
	return decode[slotsAnswer](e.t, body)
}

func (a slotsAnswer) has(start time.Time) bool {
	for _, s := range a.Slots {
		if s.Start.Equal(start) {
			return true
		}
	}
	return false
}

// A doctor publishes weekly hours, a patient sees the open slots and books
// one with a reason, the doctor sees it in the week, the patient cancels
// with a reason, and both are told, without the reasons.
func TestAppointmentFromHoursToCancellation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		patA, doc := e.users["patA"].ID, e.users["doctorX"].ID
		e.publishNewYorkHours()

		status, body := e.do("patA", "GET", "/api/v1/patients/"+patA+"/professionals", nil)
		pros := decode[struct{ Professionals []appointments.Professional }](t, body)
		var listed bool
		for _, p := range pros.Professionals {
			listed = listed || (p.ID == doc && p.Bookable && p.TimeZone == "America/New_York" && p.Name == "Dora Extra")
		}
		if status != 200 || !listed {
			t.Fatalf("the patient's bookable professionals: %d %s", status, body)
		}

		open := e.slots("patA", doc, patA)
		if len(open.Slots) < 6*5 { // two weeks of weekday mornings, less today's
			t.Fatalf("%d open slots", len(open.Slots))
		}
		first := open.Slots[0]
		if pt := first.ProfessionalTime; pt.TimeZone != "America/New_York" || pt.StartClock < "09:00" || pt.StartClock > "11:30" {
			t.Errorf("the slot on the doctor's clock: %+v", pt)
		}
		if first.ViewerTime.TimeZone != "Europe/Oslo" || first.PatientTime == nil || first.PatientTime.TimeZone != "Europe/Oslo" ||
			!first.ViewerTime.Start.Equal(first.Start) {
			t.Errorf("the slot on the patient's clock: %+v %+v", first.ViewerTime, first.PatientTime)
		}
		if open := e.slots("patA", doc, ""); open.Slots[0].PatientTime != nil {
			t.Errorf("a patient's time without patientId: %+v", open.Slots[0])
		}
		if status, body := e.do("patB", "GET", "/api/v1/professionals/"+doc+"/slots?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&patientId="+patA, nil); status != 404 || strings.Contains(body, "Agnes") {
			t.Errorf("another patient asking on patA's behalf: %d %s", status, body)
		}

		status, body = e.do("patA", "POST", "/api/v1/appointments", map[string]any{"patientId": patA, "professionalId": doc,
			"start": first.Start, "reason": "Blood pressure review"})
		if status != 201 {
			t.Fatalf("booking: %d %s", status, body)
		}
		a := decode[appointments.Appointment](t, body)
		if a.Status != appointments.Booked || a.Reason != "Blood pressure review" || a.BookedBy != patA || !a.Start.Equal(first.Start) {
			t.Errorf("booked: %+v", a)
		}
		if e.slots("patA", doc, "").has(first.Start) {
			t.Error("the booked slot is still offered")
		}

		// The doctor's week and day, read in the doctor's zone.
		for _, view := range []string{"week", "day"} {
			status, body = e.do("doctorX", "GET", "/api/v1/me/appointments?view="+view+"&date="+a.ProfessionalTime.Date, nil)
			cal := decode[struct {
				From, To     time.Time
				TimeZone     string
				Appointments []appointments.Appointment
			}](t, body)
			if status != 200 || len(cal.Appointments) != 1 || cal.Appointments[0].ID != a.ID || cal.Appointments[0].Reason != "Blood pressure review" ||
				cal.TimeZone != "America/New_York" {
				t.Fatalf("the doctor's %s: %d %s", view, status, body)
			}
			if span := cal.To.Sub(cal.From); (view == "day" && span > 25*time.Hour) || (view == "week" && span < 167*time.Hour) {
				t.Errorf("the %s runs %s", view, span)
			}
		}
		if status, body = e.do("patA", "GET", "/api/v1/me/appointments?date="+a.ProfessionalTime.Date, nil); status != 403 {
			t.Errorf("a patient asking for a professional's calendar: %d %s", status, body)
		}
		if status, body = e.do("doctorX", "GET", "/api/v1/me/appointments", nil); status != 422 || !strings.Contains(body, "date") {
			t.Errorf("a calendar without a range: %d %s", status, body)
		}

		// The patient cancels, with a reason.
		status, body = e.do("patA", "POST", "/api/v1/appointments/"+a.ID+"/cancel", map[string]string{"reason": "Feeling better"})
		c := decode[appointments.Appointment](t, body)
		if status != 200 || c.Status != appointments.Cancelled || c.CancelReason != "Feeling better" || c.CancelledBy != patA {
			t.Fatalf("cancelling: %d %s", status, body)
		}
		if status, body = e.do("patA", "POST", "/api/v1/appointments/"+a.ID+"/cancel", map[string]string{"reason": "twice"}); status != 409 {
			t.Errorf("cancelling twice: %d %s", status, body)
		}
		if !e.slots("patA", doc, "").has(first.Start) {
			t.Error("the cancelled slot is not offered again")
		}
		status, body = e.do("nurseCare", "GET", "/api/v1/patients/"+patA+"/appointments/"+a.ID, nil)
		if got := decode[appointments.Appointment](t, body); status != 200 || got.Status != appointments.Cancelled {
			t.Errorf("the care team reads it: %d %s", status, body)
		}
		if status, _ = e.do("patA", "GET", "/api/v1/patients/"+e.users["patB"].ID+"/appointments/"+a.ID, nil); status != 404 {
			t.Errorf("the appointment under another patient's path: %d", status)
		}

		// Both are told, in the app, without the reasons.
		n, err := notify.New(d, clock.Real{}, e.people, notify.Config{})
		if err != nil {
			t.Fatal(err)
		}
		if h, err := e.api.Appointments.Deliver(ctx, n); err != nil || h.Notifications != 4 {
			t.Fatalf("delivery: %+v %v", h, err)
		}
		for _, who := range []string{"patA", "doctorX"} {
			inbox, err := n.Inbox(ctx, e.users[who].ID, 50)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, x := range inbox {
				kinds = append(kinds, x.Kind)
				if strings.Contains(x.Body, "Blood pressure") || strings.Contains(x.Body, "Feeling better") || x.Link != "/appointments/"+a.ID {
					t.Errorf("%s's notification: %+v", who, x)
				}
			}
			if strings.Join(kinds, ",") != "appointment.cancelled,appointment.booked" {
				t.Errorf("%s was told %v", who, kinds)
			}
		}

		// The patient's audit trail has the booking and the cancellation.
		for _, action := range []string{"appointment.book", "appointment.cancel"} {
			evs, _ := e.audit.List(ctx, audit.Query{PatientID: patA, Action: action})
			if len(evs) != 1 || evs[0].ActorID != patA || evs[0].Outcome != audit.Success || evs[0].RequestID == "" {
				t.Errorf("audit of %s: %+v", action, evs)
			}
		}
	})
}

// Fifty patients try to book the same slot at once over HTTP: one gets it,
// the others a 409 that says what happened.
func TestFiftyConcurrentBookingsOfOneSlot(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		e.publishNewYorkHours()
		doc := e.users["doctorX"].ID
		const n = 50
		type patient struct{ id, name, token string }
		patients := make([]patient, n)
		for i := range patients {
			u, err := e.people.Create(ctx, people.NewUser{Email: fmt.Sprintf("racer%d@example.org", i), Name: fmt.Sprintf("Racer %02d", i),
				Roles: []people.Role{people.Patient}})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := e.people.CreateToken(ctx, u.ID, "race")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.access.AssignCare(ctx, e.principal("admin"), u.ID, doc); err != nil {
				t.Fatal(err)
			}
			patients[i] = patient{u.ID, u.Name, tok.Token}
		}
		start := e.slots("doctorX", doc, "").Slots[3].Start

		type answer struct {
			status      int
			contentType string
			body        string
			err         error
		}
		answers := make([]answer, n)
		ready := make(chan struct{})
		var wg sync.WaitGroup
		for i, p := range patients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b, _ := json.Marshal(map[string]any{"patientId": p.id, "professionalId": doc, "start": start, "reason": "race"})
				req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/appointments", strings.NewReader(string(b)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+p.token)
				<-ready
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					answers[i].err = err
					return
				}
				defer res.Body.Close()
				body, _ := io.ReadAll(res.Body)
				answers[i] = answer{res.StatusCode, res.Header.Get("Content-Type"), string(body), nil}
			}()
		}
		close(ready)
		wg.Wait()

		winner := -1
		for i, a := range answers {
			switch {
			case a.err != nil:
				t.Errorf("attempt %d: %v", i, a.err)
			case a.status == 201 && winner < 0:
				winner = i
			case a.status == 201:
				t.Errorf("two winners: %d and %d", winner, i)
			case a.status != 409 || a.contentType != "application/problem+json" ||
				!strings.Contains(a.body, "that time was just booked by someone else; pick another slot"):
				t.Errorf("attempt %d: %d %s %s", i, a.status, a.contentType, a.body)
			}
		}
		if winner < 0 {
			t.Fatal("nobody got the slot")
		}
		for i, a := range answers {
			if i != winner && strings.Contains(a.body, patients[winner].name) {
				t.Errorf("a loser learns who won: %s", a.body)
			}
		}
		held, err := e.api.Appointments.ForProfessional(ctx, e.principal("doctorX"), start.Add(-time.Hour), start.Add(time.Hour))
		if err != nil || len(held) != 1 || held[0].PatientID != patients[winner].id {
			t.Errorf("the doctor's calendar around the slot: %+v %v", held, err)
		}
	})
}

// The private feed is a standard iCalendar file at a secret address that a
// reset replaces and turning off removes.
func TestCalendarFeedThroughTheAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.publishNewYorkHours()
		doc := e.users["doctorX"].ID
		start := e.slots("patA", doc, "").Slots[0].Start
		status, body := e.do("patA", "POST", "/api/v1/appointments", map[string]any{"patientId": e.users["patA"].ID, "professionalId": doc,
			"start": start, "reason": "Blood pressure review"})
		if status != 201 {
			t.Fatalf("booking: %d %s", status, body)
		}
		a := decode[appointments.Appointment](t, body)

		type feed struct{ URL, Path string }
		reset := func() feed {
			t.Helper()
			status, body := e.do("doctorX", "POST", "/api/v1/me/calendar-feed", nil)
			f := decode[feed](t, body)
			if status != 200 || f.URL != e.srv.URL+f.Path || !strings.HasPrefix(f.Path, "/calendar/") || !strings.HasSuffix(f.Path, ".ics") {
				t.Fatalf("reset: %d %s", status, body)
			}
			return f
		}
		get := func(u string) (*http.Response, string) {
			t.Helper()
			res, err := http.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res, string(b)
		}
		enabled := func() bool {
			t.Helper()
			_, body := e.do("doctorX", "GET", "/api/v1/me/calendar-feed", nil)
			return decode[struct{ Enabled bool }](t, body).Enabled
		}
		if enabled() {
			t.Error("a feed is on before anyone turned it on")
		}

		old := reset()
		if !enabled() {
			t.Error("the feed is off after a reset")
		}
		res, text := get(old.URL)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/calendar; charset=utf-8" || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("feed: %d %v", res.StatusCode, res.Header)
		}
		cal, err := ics.ParseCalendar(strings.NewReader(text))
		if err != nil {
			t.Fatalf("golang-ical: %v\n%s", err, text)
		}
		events := cal.Events()
		if len(events) != 1 || events[0].Id() != a.ID+"@tend" {
			t.Fatalf("events: %s", text)
		}
		if got, err := events[0].GetStartAt(); err != nil || !got.Equal(a.Start) {
			t.Errorf("start %v %v, want %v", got, err, a.Start)
		}
		if got, err := events[0].GetEndAt(); err != nil || !got.Equal(a.End) {
			t.Errorf("end %v %v, want %v", got, err, a.End)
		}
		if got := events[0].GetProperty(ics.ComponentPropertySummary).Value; got != "Appointment: Agnes Patient" {
			t.Errorf("summary %q", got)
		}
		if strings.Contains(text, "Blood pressure") {
			t.Error("the feed carries the reason")
		}

		fresh := reset()
		if res, body := get(old.URL); res.StatusCode != 404 || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("the old address after a reset: %d %s", res.StatusCode, body)
		}
		if res, _ := get(fresh.URL); res.StatusCode != 200 {
			t.Errorf("the new address: %d", res.StatusCode)
		}
		if status, _ := e.do("doctorX", "DELETE", "/api/v1/me/calendar-feed", nil); status != 204 {
			t.Errorf("turning it off: %d", status)
		}
		if res, _ := get(fresh.URL); res.StatusCode != 404 || enabled() {
			t.Errorf("the address after turning it off: %d", res.StatusCode)
		}
		if res, _ := get(e.srv.URL + "/calendar/" + strings.TrimSuffix(strings.TrimPrefix(fresh.Path, "/calendar/"), ".ics")); res.StatusCode != 404 {
			t.Errorf("an address without .ics: %d", res.StatusCode)
		}
		if evs, _ := e.audit.List(context.Background(), audit.Query{ActorID: doc, Action: "appointment.feed.read"}); len(evs) != 2 {
			t.Errorf("feed reads audited: %d, want 2", len(evs))
		}
	})
}
