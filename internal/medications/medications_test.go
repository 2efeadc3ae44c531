package medications_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/medications"
	"github.com/tend-health/tend/internal/monitoring/outbox"
	"github.com/tend-health/tend/internal/notify"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

type fakeNotify struct {
	mu   sync.Mutex
	sent []notify.Notification
}

func (f *fakeNotify) Send(_ context.Context, n notify.Notification) (notify.Receipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, n)
	return notify.Receipt{ID: n.ID}, nil
}

func (f *fakeNotify) take() []notify.Notification {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.sent
	f.sent = nil
	return out
}

type fakeBus struct {
	mu    sync.Mutex
	kinds []string
}

func (b *fakeBus) Publish(_ context.Context, e events.Event) error {
	b.mu.Lock()
	b.kinds = append(b.kinds, e.Kind)
	b.mu.Unlock()
	return nil
}

// counts is how many events of each kind were published.
func (b *fakeBus) counts() map[string]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]int{}
	for _, k := range b.kinds {
		out[k]++
	}
	return out
}

type world struct {
	clock                                  *clock.Fake
	meds                                   *medications.Service
	notes                                  *fakeNotify
	bus                                    *fakeBus
	readings                               *readings.Service
	oslo                                   *time.Location
	patient, nurse, carer, family, strange people.Principal
}

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	// Saturday 24 October 2026, 12:00 in Oslo: clocks fall back that night.
	c := clock.NewFake(time.Date(2026, 10, 24, 10, 0, 0, 0, time.UTC))
	ps := people.NewService(d, c)
	acc := access.New(d, c, ps)
	mk := func(email string, profile *people.Profile, roles ...people.Role) people.Principal {
		u, err := ps.Create(ctx, people.NewUser{Email: email, Name: email, Roles: roles, Profile: profile})
		if err != nil {
			t.Fatal(err)
		}
		return people.Principal{UserID: u.ID, Name: u.Name, Email: u.Email, Roles: u.Roles}
	}
	w := &world{clock: c, notes: &fakeNotify{}, bus: &fakeBus{}}
	w.oslo, _ = time.LoadLocation("Europe/Oslo")
	w.patient = mk("kari@example.org", &people.Profile{TimeZone: "Europe/Oslo"}, people.Patient)
	w.nurse = mk("nurse@example.org", nil, people.Nurse)
	w.carer = mk("carer@example.org", nil, people.Family)
	w.family = mk("son@example.org", nil, people.Family)
	w.strange = mk("stranger@example.org", nil, people.Nurse)
	admin := mk("admin@example.org", nil, people.Admin)
	if _, err := acc.AssignCare(ctx, admin, w.patient.UserID, w.nurse.UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.Share(ctx, w.patient, w.patient.UserID, access.NewShare{GranteeEmail: w.carer.Email,
		Scopes: []access.Scope{access.Medications}}); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.Share(ctx, w.patient, w.patient.UserID, access.NewShare{GranteeEmail: w.family.Email,
		Scopes: []access.Scope{access.Vitals}}); err != nil {
		t.Fatal(err)
	}
	box := outbox.New(d, c, w.notes, w.bus)
	w.meds = medications.New(d, c, acc, box, nil)
	w.readings = readings.New(d, c, acc, devices.New(d, c, ps, acc), readings.Options{})
	return w
}

func (w *world) at(t *testing.T, y int, m time.Month, d, hh, mm int) time.Time {
	x := time.Date(y, m, d, hh, mm, 0, 0, w.oslo)
	w.clock.Set(x)
	return x
}

// journal is the patient's journal as the patient sees it.
func (w *world) journal(t *testing.T, withErrors bool) []readings.Entry {
	t.Helper()
	page, err := w.readings.Journal(context.Background(), w.patient, readings.JournalQuery{PatientID: w.patient.UserID,
		IncludeEnteredInError: withErrors})
	if err != nil {
		t.Fatal(err)
	}
	return page.Entries
}

func (w *world) tick(t *testing.T) medications.TickStats {
	t.Helper()
	st, err := w.meds.Tick(context.Background(), w.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestRemindersTakenSkippedAndMissed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		pid := w.patient.UserID
		in := medications.Input{Name: "Metformin", Dose: "500 mg", Instructions: "with food", Times: []string{"08:00", "20:00"}}
		if _, err := w.meds.Create(ctx, w.family, pid, in); !errs.Is(err, errs.NotFound) {
			t.Errorf("family without the medications scope added a medicine: %v", err)
		}
		if _, err := w.meds.Create(ctx, w.carer, pid, in); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a carer added a medicine: %v", err)
		}
		m, err := w.meds.Create(ctx, w.nurse, pid, in)
		if err != nil {
			t.Fatal(err)
		}
		if m.TimeZone != "Europe/Oslo" || !m.Remind || m.WindowMinutes != 120 {
			t.Errorf("medicine %+v", m)
		}
		// 20:00 Saturday: reminded at the time.
		w.at(t, 2026, 10, 24, 19, 59)
		if st := w.tick(t); st.Reminders != 0 {
			t.Errorf("reminded early: %+v", st)
		}
		w.at(t, 2026, 10, 24, 20, 0)
		if st := w.tick(t); st.Reminders != 1 {
			t.Fatalf("no reminder at 20:00: %+v", st)
		}
		got := w.notes.take()
		if len(got) != 1 || got[0].RecipientID != pid || got[0].Kind != "reminder.medication" {
			t.Fatalf("reminder %+v", got)
		}
		// The carer records it taken at 20:10.
		taken := w.clock.Now().Add(10 * time.Minute)
		w.clock.Set(taken)
		dose, err := w.meds.RecordDose(ctx, w.carer, pid, medications.Record{MedicationID: m.ID,
			DueAt: time.Date(2026, 10, 24, 20, 0, 0, 0, w.oslo), Status: medications.Taken})
		if err != nil {
			t.Fatal(err)
		}
		if dose.Status != medications.Taken || !dose.TakenAt.Equal(taken) || dose.RecordedBy != w.carer.UserID {
			t.Errorf("dose %+v", dose)
		}
		if j := w.journal(t, false); len(j) != 1 || j[0].Name != "Metformin" || j[0].Amount != "500 mg" || j[0].EnteredBy != w.carer.UserID {
			t.Errorf("journal %+v", j)
		}
		// Sunday 25 October, the clocks fall back: 08:00 is still 08:00.
		// Nobody records it: at 10:00 it is missed, visible to the nurse.
		w.at(t, 2026, 10, 25, 8, 0)
		if st := w.tick(t); st.Reminders != 1 {
			t.Errorf("Sunday 08:00: %+v", st)
		}
		if got := w.notes.take(); len(got) != 1 {
			t.Errorf("Sunday reminder %+v", got)
		}
		w.at(t, 2026, 10, 25, 10, 0)
		if st := w.tick(t); st.Missed != 1 {
			t.Fatalf("Sunday 10:00: %+v", st)
		}
		from := time.Date(2026, 10, 24, 0, 0, 0, 0, w.oslo)
		doses, err := w.meds.Doses(ctx, w.nurse, pid, from, from.Add(48*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want := []medications.DoseStatus{medications.Taken, medications.Missed, medications.Upcoming}
		if len(doses) != len(want) {
			t.Fatalf("doses %+v", doses)
		}
		for i, d := range doses {
			if d.Status != want[i] {
				t.Errorf("dose %d (%s %s): %s, want %s", i, d.DueAt.In(w.oslo), d.Local, d.Status, want[i])
			}
		}
		if doses[1].Local != "08:00" || !doses[1].DueAt.Equal(time.Date(2026, 10, 25, 7, 0, 0, 0, time.UTC)) {
			t.Errorf("Sunday's dose at %s (%s)", doses[1].DueAt, doses[1].Local)
		}
		// The patient remembers: taken after all, at 08:30. Missed is corrected.
		d2, err := w.meds.RecordDose(ctx, w.patient, pid, medications.Record{MedicationID: m.ID, DueAt: doses[1].DueAt,
			Status: medications.Taken, TakenAt: time.Date(2026, 10, 25, 8, 30, 0, 0, w.oslo)})
		if err != nil || d2.Status != medications.Taken {
			t.Fatalf("late record: %+v %v", d2, err)
		}
		// Skipped, with a note; the evening's dose.
		w.at(t, 2026, 10, 25, 19, 30)
		if _, err := w.meds.RecordDose(ctx, w.patient, pid, medications.Record{MedicationID: m.ID,
			DueAt: time.Date(2026, 10, 25, 20, 0, 0, 0, w.oslo), Status: medications.Skipped, Note: "nauseous"}); err != nil {
			t.Fatal(err)
		}
		w.at(t, 2026, 10, 25, 20, 0)
		if st := w.tick(t); st.Reminders != 0 {
			t.Errorf("reminded of a dose already recorded: %+v", st)
		}
		w.at(t, 2026, 10, 25, 23, 0)
		if st := w.tick(t); st.Missed != 0 {
			t.Errorf("a skipped dose was recorded missed: %+v", st)
		}
		today, err := w.meds.Today(ctx, w.patient, pid, w.clock.Now())
		if err != nil || len(today) != 2 || today[0].Status != medications.Taken || today[1].Status != medications.Skipped || today[1].Note != "nauseous" {
			t.Errorf("today %+v %v", today, err)
		}
		// Refusals.
		bad := []medications.Record{
			{MedicationID: m.ID, DueAt: time.Date(2026, 10, 26, 8, 0, 0, 0, w.oslo), Status: medications.Taken}, // not yet
			{MedicationID: m.ID, DueAt: time.Date(2026, 10, 25, 9, 0, 0, 0, w.oslo), Status: medications.Taken}, // not a time of it
			{MedicationID: m.ID, DueAt: doses[1].DueAt, Status: "lost"},
			{MedicationID: "nope", DueAt: doses[1].DueAt, Status: medications.Taken},
		}
		for _, r := range bad {
			if _, err := w.meds.RecordDose(ctx, w.patient, pid, r); !errs.Is(err, errs.Invalid) {
				t.Errorf("%+v accepted: %v", r, err)
			}
		}
		if _, err := w.meds.Doses(ctx, w.strange, pid, from, from.Add(time.Hour)); !errs.Is(err, errs.NotFound) {
			t.Errorf("a stranger sees the doses: %v", err)
		}
		// Stopped: nothing more is due, the record stays.
		if err := w.meds.Stop(ctx, w.patient, pid, m.ID); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(72 * time.Hour)
		if st := w.tick(t); st.Deadlines != 0 {
			t.Errorf("a stopped medicine ticked: %+v", st)
		}
		doses, _ = w.meds.Doses(ctx, w.nurse, pid, from, from.Add(7*24*time.Hour))
		if len(doses) != 3 {
			t.Errorf("history after stopping: %d doses, want Saturday evening's and Sunday's two", len(doses))
		}
		if list, _ := w.meds.List(ctx, w.carer, pid, true); len(list) != 1 || list[0].StoppedAt.IsZero() {
			t.Errorf("stopped medicine %+v", list)
		}
		kinds := w.bus.counts()
		if kinds[events.MedicationChanged] != 2 || kinds[medications.DoseRecorded] != 3 || kinds[medications.DoseMissed] != 1 {
			t.Errorf("events %v", kinds)
		}
	})
}

func TestDowntimeAndValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		pid := w.patient.UserID
		for _, in := range []medications.Input{
			{Name: "", Dose: "1", Times: []string{"08:00"}},
			{Name: "A", Dose: "", Times: []string{"08:00"}},
			{Name: "A", Dose: "1"},
			{Name: "A", Dose: "1", Times: []string{"08:00", "09:00"}}, // windows would overlap
			{Name: "A", Dose: "1", Times: []string{"08:00"}, Weekdays: []string{"x"}},
		} {
			if _, err := w.meds.Create(ctx, w.patient, pid, in); !errs.Is(err, errs.Invalid) {
				t.Errorf("%+v accepted: %v", in, err)
			}
		}
		no := false
		m, err := w.meds.Create(ctx, w.patient, pid, medications.Input{Name: "Vitamin D", Dose: "20 µg", Times: []string{"09:00"}, Remind: &no})
		if err != nil {
			t.Fatal(err)
		}
		if m.Remind {
			t.Error("reminders on")
		}
		// Down for three days: each day's dose is recorded missed once, and
		// no reminder goes out for a dose long past.
		w.clock.Advance(3 * 24 * time.Hour)
		st := w.tick(t)
		if st.Missed != 3 || st.Reminders != 0 {
			t.Errorf("after downtime: %+v", st)
		}
		if st := w.tick(t); st.Missed != 0 {
			t.Errorf("missed twice: %+v", st)
		}
		if got := w.notes.take(); len(got) != 0 {
			t.Errorf("notifications %+v", got)
		}
	})
}

// A dose recorded taken or skipped is in the patient's journal, once, with
// who recorded it; recording it differently keeps the earlier entry, marked
// entered in error. Missed doses are listed for the care team.
func TestDosesInTheJournalAndMissedForTheCareTeam(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		pid := w.patient.UserID
		m, err := w.meds.Create(ctx, w.nurse, pid, medications.Input{Name: "Ramipril", Dose: "5 mg", Times: []string{"08:00", "20:00"}})
		if err != nil {
			t.Fatal(err)
		}
		evening := time.Date(2026, 10, 24, 20, 0, 0, 0, w.oslo)
		w.at(t, 2026, 10, 24, 20, 15)
		rec := medications.Record{MedicationID: m.ID, DueAt: evening, Status: medications.Taken, TakenAt: evening.Add(5 * time.Minute)}
		for range 3 { // a retry, and a double tap
			if _, err := w.meds.RecordDose(ctx, w.carer, pid, rec); err != nil {
				t.Fatal(err)
			}
		}
		j := w.journal(t, true)
		if len(j) != 1 {
			t.Fatalf("the same dose recorded three times made %d journal entries", len(j))
		}
		e := j[0]
		if e.Kind != readings.Medication || e.Name != "Ramipril" || e.Amount != "5 mg" || !e.OccurredAt.Equal(rec.TakenAt) ||
			e.EnteredBy != w.carer.UserID || e.Dose == nil || e.Dose.Status != "taken" || e.Dose.MedicationID != m.ID || !e.Dose.DueAt.Equal(evening) {
			t.Errorf("journal entry %+v dose %+v", e, e.Dose)
		}
		// The patient says it was skipped after all: the taken entry stays,
		// entered in error by the patient, beside the skipped one.
		if _, err := w.meds.RecordDose(ctx, w.patient, pid, medications.Record{MedicationID: m.ID, DueAt: evening,
			Status: medications.Skipped, Note: "dizzy"}); err != nil {
			t.Fatal(err)
		}
		j = w.journal(t, false)
		if len(j) != 1 || j[0].Dose.Status != "skipped" || j[0].Amount != "" || j[0].Note != "Skipped the 20:00 dose: dizzy" ||
			j[0].EnteredBy != w.patient.UserID || !j[0].OccurredAt.Equal(evening) {
			t.Errorf("after skipping: %+v", j)
		}
		all := w.journal(t, true)
		if len(all) != 2 {
			t.Fatalf("journal with corrections: %+v", all)
		}
		for _, e := range all {
			if e.Dose.Status == "taken" && (e.Status != readings.StatusEnteredInError || e.Correction == nil || e.Correction.By != w.patient.UserID) {
				t.Errorf("the replaced entry %+v %+v", e, e.Correction)
			}
		}

		// Sunday's 08:00 dose is missed: the nurse sees it across patients,
		// the patient sees their own, family with vitals only and a
		// stranger do not.
		w.at(t, 2026, 10, 25, 10, 1)
		if st := w.tick(t); st.Missed != 1 {
			t.Fatalf("tick %+v", st)
		}
		if n := len(w.journal(t, true)); n != 2 {
			t.Errorf("a missed dose wrote in the journal: %d entries", n)
		}
		missed, err := w.meds.Missed(ctx, w.nurse, time.Time{}, 0)
		if err != nil || len(missed) != 1 {
			t.Fatalf("nurse's missed doses %+v %v", missed, err)
		}
		if x := missed[0]; x.PatientID != pid || x.Name != "Ramipril" || x.Local != "08:00" || x.TimeZone != "Europe/Oslo" || x.PatientName == "" {
			t.Errorf("missed dose %+v", x)
		}
		for who, p := range map[string]people.Principal{"patient": w.patient, "carer": w.carer} {
			if got, _ := w.meds.Missed(ctx, p, time.Time{}, 0); len(got) != 1 {
				t.Errorf("%s sees %d missed doses, want 1", who, len(got))
			}
		}
		for who, p := range map[string]people.Principal{"family with vitals only": w.family, "stranger": w.strange} {
			if got, err := w.meds.Missed(ctx, p, time.Time{}, 0); err != nil || len(got) != 0 {
				t.Errorf("%s sees missed doses %+v %v", who, got, err)
			}
		}
		if _, err := w.meds.Missed(ctx, w.nurse, w.clock.Now().AddDate(0, -2, 0), 0); !errs.Is(err, errs.Invalid) {
			t.Errorf("two months back: %v", err)
		}
		// Recorded late, it leaves the list and enters the journal.
		if _, err := w.meds.RecordDose(ctx, w.patient, pid, medications.Record{MedicationID: m.ID,
			DueAt: time.Date(2026, 10, 25, 8, 0, 0, 0, w.oslo), Status: medications.Taken, TakenAt: time.Date(2026, 10, 25, 9, 50, 0, 0, w.oslo)}); err != nil {
			t.Fatal(err)
		}
		if got, _ := w.meds.Missed(ctx, w.nurse, time.Time{}, 0); len(got) != 0 {
			t.Errorf("a dose recorded late is still listed missed: %+v", got)
		}
		if n := len(w.journal(t, false)); n != 2 {
			t.Errorf("journal after the late dose: %d entries in force, want 2", n)
		}
		kinds := w.bus.counts()
		if kinds[events.JournalCreated] != 3 || kinds[readings.JournalCorrected] != 1 {
			t.Errorf("journal events %v", kinds)
		}
	})
}
