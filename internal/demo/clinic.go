package demo

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/tend-health/tend/internal/appointments"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/measure"
	"github.com/tend-health/tend/internal/medications"
	"github.com/tend-health/tend/internal/monitoring"
	"github.com/tend-health/tend/internal/news2"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// The clinic's recent past: three days of readings, schedules and
// medicines set up by the care team three days ago, doses taken (and a few
// not), so that every page has something true to show. Some patients are
// worse than others:
//
//   - Margaret Hill's latest blood pressure is 186/122: an open critical
//     alert (hypertensive crisis), not yet acknowledged;
//   - Kenji Watanabe stopped weighing himself two days ago: a missed
//     measurement alert;
//   - Rosa Moretti, monitored at home hourly, has worsened over the last
//     hours: NEWS2 5, an alert;
//   - Amina Diallo had a low glucose two nights ago, which her nurse
//     acknowledged and resolved;
//   - Harold Jensen (NEWS2 scale 2) missed yesterday's afternoon diuretic,
//     and Amina skipped a dose.
//
// The professionals publish weekday hours, and a few visits are booked.

// history is how far back the clinic's readings and schedules go;
// medHistory its medicines.
const (
	history    = 3 * 24 * time.Hour
	medHistory = 2 * 24 * time.Hour
)

// series is a measurement a patient takes at local times of day, around a
// usual value.
type series struct {
	typ    string
	times  []string  // local HH:MM
	values []float64 // the usual value (two for blood pressure)
	spread float64   // how far a reading strays from it
	from   int       // days before today the series starts (default all of history)
	to     int       // days before today it stops (0: still going)
}

// plan is one patient's part of the clinic.
type plan struct {
	series    []series
	schedules []monitoring.ScheduleInput
	meds      []medications.Input
	// skip lists doses not recorded, "medicine@day@HH:MM" with day 1 for
	// yesterday; skipped lists those recorded skipped.
	missed, skipped map[string]bool
	hourly          bool // a monitor at home: vitals every hour
}

func daily(typ string, times ...string) monitoring.ScheduleInput {
	return monitoring.ScheduleInput{Type: typ, Times: times}
}

var plans = map[string]plan{
	"margaret.hill@demo.tend.example": {
		series:    []series{{typ: measure.BloodPressure, times: []string{"08:05", "20:05"}, values: []float64{152, 88}, spread: 8}},
		schedules: []monitoring.ScheduleInput{daily(measure.BloodPressure, "08:00", "20:00")},
		meds: []medications.Input{{Name: "Amlodipine", Dose: "5 mg", Times: []string{"08:00"}},
			{Name: "Bisoprolol", Dose: "2.5 mg", Instructions: "with breakfast", Times: []string{"08:00"}}},
	},
	"harold.jensen@demo.tend.example": {
		series: []series{{typ: measure.SpO2, times: []string{"09:05", "15:05", "21:05"}, values: []float64{90}, spread: 1.5},
			{typ: measure.HeartRate, times: []string{"09:05", "21:05"}, values: []float64{84}, spread: 6},
			{typ: measure.RespiratoryRate, times: []string{"09:05", "21:05"}, values: []float64{19}, spread: 1.5}},
		schedules: []monitoring.ScheduleInput{daily(measure.SpO2, "09:00", "15:00", "21:00")},
		meds: []medications.Input{{Name: "Tiotropium", Dose: "18 µg", Instructions: "one inhalation", Times: []string{"08:00"}},
			{Name: "Furosemide", Dose: "40 mg", Times: []string{"08:00", "14:00"}}},
		missed: map[string]bool{"Furosemide@1@14:00": true},
	},
	"amina.diallo@demo.tend.example": {
		series: []series{{typ: measure.BloodGlucose, times: []string{"07:00", "10:00", "13:00", "16:00", "19:00", "22:00"}, values: []float64{135}, spread: 35}},
		meds: []medications.Input{{Name: "Insulin glargine", Dose: "22 units", Times: []string{"22:00"}},
			{Name: "Insulin aspart", Dose: "6 units", Instructions: "with meals, adjust to carbohydrates", Times: []string{"07:30", "12:30", "19:00"}}},
		skipped: map[string]bool{"Insulin aspart@1@12:30": true},
	},
	"kenji.watanabe@demo.tend.example": {
		series: []series{{typ: measure.BodyWeight, times: []string{"07:10"}, values: []float64{84.5}, spread: 0.4, to: 2},
			{typ: measure.BloodPressure, times: []string{"07:15"}, values: []float64{134, 80}, spread: 6}},
		schedules: []monitoring.ScheduleInput{daily(measure.BodyWeight, "07:00"), daily(measure.BloodPressure, "07:00")},
		meds: []medications.Input{{Name: "Sacubitril/valsartan", Dose: "49/51 mg", Times: []string{"08:00", "20:00"}},
			{Name: "Furosemide", Dose: "20 mg", Times: []string{"08:00"}}},
	},
	"rosa.moretti@demo.tend.example": {
		hourly:    true,
		schedules: []monitoring.ScheduleInput{{Type: measure.BodyTemperature, EveryHours: 6}},
		meds:      []medications.Input{{Name: "Amoxicillin", Dose: "500 mg", Times: []string{"08:00", "16:00", "23:30"}}},
	},
	"david.cohen@demo.tend.example": {
		series:    []series{{typ: measure.BloodPressure, times: []string{"08:10"}, values: []float64{128, 79}, spread: 6}},
		schedules: []monitoring.ScheduleInput{daily(measure.BloodPressure, "08:00")},
		meds:      []medications.Input{{Name: "Atorvastatin", Dose: "20 mg", Times: []string{"21:00"}}},
	},
	"priya.sharma@demo.tend.example": {
		series: []series{{typ: measure.HeartRate, times: []string{"06:30", "12:30", "18:30", "23:00"}, values: []float64{68}, spread: 10}},
		meds:   []medications.Input{{Name: "Levothyroxine", Dose: "50 µg", Instructions: "on an empty stomach", Times: []string{"07:00"}}},
	},
	"olav.berg@demo.tend.example": {
		series: []series{{typ: measure.BloodPressure, times: []string{"07:40", "19:40"}, values: []float64{138, 84}, spread: 7},
			{typ: measure.BodyWeight, times: []string{"07:30"}, values: []float64{91}, spread: 0.5}},
		schedules: []monitoring.ScheduleInput{daily(measure.BloodPressure, "07:30", "19:30")},
		meds:      []medications.Input{{Name: "Ramipril", Dose: "5 mg", Times: []string{"08:00"}}},
	},
	"grace.mensah@demo.tend.example": {
		series:    []series{{typ: measure.BloodGlucose, times: []string{"07:05"}, values: []float64{128}, spread: 14}},
		schedules: []monitoring.ScheduleInput{daily(measure.BloodGlucose, "07:00")},
		meds:      []medications.Input{{Name: "Metformin", Dose: "500 mg", Instructions: "with food", Times: []string{"08:00", "20:00"}}},
	},
	"luis.fernandez@demo.tend.example": {
		series: []series{{typ: measure.HeartRate, times: []string{"07:00", "14:00", "21:00"}, values: []float64{62}, spread: 8},
			{typ: measure.BodyTemperature, times: []string{"07:00"}, values: []float64{36.6}, spread: 0.2}},
	},
}

// wobble is a repeatable stray in [-1, 1] for the n-th reading.
func wobble(n int, seed float64) float64 { return math.Sin(float64(n)*1.7 + seed) }

// readingsOf makes a patient's readings over the history, in their zone.
func readingsOf(p plan, loc *time.Location, now time.Time, seed float64) []readings.Item {
	var out []readings.Item
	today := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc)
	days := int(history / (24 * time.Hour))
	for si, s := range p.series {
		start := days
		if s.from > 0 {
			start = s.from
		}
		n := 0
		for d := start; d >= s.to; d-- {
			for _, hm := range s.times {
				var h, m int
				fmt.Sscanf(hm, "%d:%d", &h, &m)
				at := today.AddDate(0, 0, -d).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
				if !at.Before(now) || at.Before(now.Add(-history)) {
					continue
				}
				n++
				vals := make([]float64, len(s.values))
				for i, v := range s.values {
					vals[i] = v + s.spread*wobble(n+i, seed+float64(si))
				}
				out = append(out, item(s.typ, at, vals...))
			}
		}
	}
	if p.hourly {
		out = append(out, hourlyVitals(now, seed)...)
	}
	return out
}

// hourlyVitals is a monitor's hourly set over the history: steady, then
// worse over the last four hours (respiratory rate 23, SpO2 94 %, pulse
// 108, 38.4 °C: NEWS2 5 with consciousness alert on air).
func hourlyVitals(now time.Time, seed float64) []readings.Item {
	var out []readings.Item
	first := now.Add(-history).Truncate(time.Hour).Add(time.Hour)
	for n, at := 0, first; at.Before(now); n, at = n+1, at.Add(time.Hour) {
		rr, spo2, sys, dia, hr, temp := 16.0, 97.0, 124.0, 76.0, 78.0, 36.9
		if now.Sub(at) < 4*time.Hour {
			rr, spo2, sys, dia, hr, temp = 23, 94, 112, 70, 108, 38.4
		}
		w := wobble(n, seed)
		out = append(out, item(measure.RespiratoryRate, at, rr), item(measure.SpO2, at, spo2),
			item(measure.BloodPressure, at, sys+4*w, dia+3*w), item(measure.HeartRate, at, hr+3*w), item(measure.BodyTemperature, at, temp))
	}
	return out
}

// item is one reading, rounded as a device would send it.
func item(typ string, at time.Time, vals ...float64) readings.Item {
	t, _ := measure.ByKey(typ)
	it := readings.Item{Type: typ, TakenAt: at, ExternalID: fmt.Sprintf("demo:%s:%d", typ, at.Unix())}
	round := func(v float64) float64 { return math.Round(v) }
	if typ == measure.BodyTemperature || typ == measure.BodyWeight {
		round = func(v float64) float64 { return math.Round(v*10) / 10 }
	}
	if t.IsPanel() {
		for i, v := range vals {
			it.Components = append(it.Components, readings.Component{Key: t.Components[i].Key, Value: round(v), Unit: t.Components[i].Value.Unit})
		}
		return it
	}
	v := round(vals[0])
	it.Value, it.Unit = &v, t.Value.Unit
	return it
}

// loadClinic adds the care team's work of the last three days for each
// patient, then lets the schedulers catch up as after downtime: windows
// closed without a reading become missed-measurement alerts, doses left
// unrecorded missed doses.
func loadClinic(ctx context.Context, sv Services, ids map[string]people.User, nurseOf, doctorOf map[string]people.User) error {
	now := time.Now()
	past := clock.NewFake(now.Add(-history))
	pastMon := monitoring.New(sv.DB, past, sv.Access, monitoring.Deps{Audit: sv.Audit})
	pastMeds := medications.New(sv.DB, past, sv.Access, pastMon.Outbox(), sv.Audit)
	principal := func(u people.User) people.Principal {
		return people.Principal{UserID: u.ID, Name: u.Name, Email: u.Email, Roles: u.Roles}
	}

	type dose struct {
		med   medications.Medication
		due   time.Time
		local string
	}
	for i, p := range patients {
		pu := ids[p.email]
		pl := plans[p.email]
		nurse, doctor, patient := principal(nurseOf[p.email]), principal(doctorOf[p.email]), principal(pu)
		loc, err := time.LoadLocation(p.profile.TimeZone)
		if err != nil {
			return err
		}
		// Three days ago the nurse set the schedules; two days ago the
		// medicines.
		past.Set(now.Add(-history))
		for _, sc := range pl.schedules {
			if _, err := pastMon.CreateSchedule(ctx, nurse, pu.ID, sc); err != nil {
				return fmt.Errorf("demo schedule for %s: %w", p.name, err)
			}
		}
		medsFrom := now.Add(-medHistory)
		past.Set(medsFrom)
		var meds []medications.Medication
		for _, in := range pl.meds {
			m, err := pastMeds.Create(ctx, nurse, pu.ID, in)
			if err != nil {
				return fmt.Errorf("demo medicine for %s: %w", p.name, err)
			}
			meds = append(meds, m)
		}
		// The doses since, recorded by the patient at the time.
		var doses []dose
		for d := 2; d >= 0; d-- {
			for _, m := range meds {
				for _, hm := range m.Times {
					var h, mi int
					fmt.Sscanf(hm, "%d:%d", &h, &mi)
					lt := now.In(loc)
					due := time.Date(lt.Year(), lt.Month(), lt.Day()-d, h, mi, 0, 0, loc)
					if due.After(now.Add(-30*time.Minute)) || due.Add(-pastMeds.Early).Before(medsFrom) || pl.missed[fmt.Sprintf("%s@%d@%s", m.Name, d, hm)] {
						continue
					}
					doses = append(doses, dose{m, due, hm})
					if pl.skipped[fmt.Sprintf("%s@%d@%s", m.Name, d, hm)] {
						doses[len(doses)-1].local = "skip"
					}
				}
			}
		}
		for _, x := range doses {
			past.Set(x.due.Add(10 * time.Minute))
			r := medications.Record{MedicationID: x.med.ID, DueAt: x.due, Status: medications.Taken, TakenAt: x.due.Add(5 * time.Minute)}
			if x.local == "skip" {
				r = medications.Record{MedicationID: x.med.ID, DueAt: x.due, Status: medications.Skipped, Note: "felt low before lunch, ate little"}
			}
			if _, err := pastMeds.RecordDose(ctx, patient, pu.ID, r); err != nil {
				return fmt.Errorf("demo dose for %s: %w", p.name, err)
			}
		}

		// A few rules fitted to the patient, and settings.
		switch p.email {
		case "margaret.hill@demo.tend.example": // on a beta blocker: a slow pulse is expected
			if _, err := sv.Monitoring.SetRule(ctx, doctor, pu.ID, monitoring.RuleHeartRateLow, monitoring.RulePatch{
				Conditions: []monitoring.Condition{{Op: "<", Value: 45, Clear: 50}}}); err != nil {
				return fmt.Errorf("demo rule: %w", err)
			}
		case "harold.jensen@demo.tend.example": // COPD with a target of 88–92 %
			air := false
			if _, err := sv.Monitoring.SetNEWS2Settings(ctx, doctor, pu.ID, monitoring.NEWS2Settings{Scale: int(news2.Scale2), OnOxygen: &air}); err != nil {
				return fmt.Errorf("demo NEWS2 settings: %w", err)
			}
			two := 2
			if _, err := sv.Monitoring.SetRule(ctx, doctor, pu.ID, monitoring.RuleHeartRateHigh, monitoring.RulePatch{Consecutive: &two}); err != nil {
				return fmt.Errorf("demo rule: %w", err)
			}
		case "amina.diallo@demo.tend.example": // type 1: tell only of clearly high values
			if _, err := sv.Monitoring.SetRule(ctx, doctor, pu.ID, monitoring.RuleGlucoseHigh, monitoring.RulePatch{
				Conditions: []monitoring.Condition{{Op: ">", Value: 220, Clear: 200}}}); err != nil {
				return fmt.Errorf("demo rule: %w", err)
			}
		case "rosa.moretti@demo.tend.example":
			if _, err := sv.Monitoring.RecordObservation(ctx, nurse, pu.ID, monitoring.Observation{Consciousness: "alert",
				OnOxygen: new(bool), At: now.Add(-3 * time.Hour)}); err != nil {
				return fmt.Errorf("demo observation: %w", err)
			}
		}
		// Patients with a named chain: their nurse, then their doctor.
		if i < 5 {
			steps := []monitoring.ChainStepInput{{UserIDs: []string{nurse.UserID}, WaitMinutes: 10}, {UserIDs: []string{doctor.UserID}, WaitMinutes: 20}}
			if _, err := sv.Monitoring.SetEscalationChain(ctx, doctor, pu.ID, steps); err != nil {
				return fmt.Errorf("demo escalation chain: %w", err)
			}
		}

		// The readings, imported by the nurse, in one batch.
		its := readingsOf(pl, loc, now, float64(i))
		// The events of the story, with ids of their own (a regular reading
		// may fall at the same second).
		var story []readings.Item
		switch p.email {
		case "margaret.hill@demo.tend.example":
			story = append(story, item(measure.BloodPressure, now.Add(-25*time.Minute), 186, 122))
		case "amina.diallo@demo.tend.example":
			night := now.Add(-48 * time.Hour).Truncate(time.Hour).Add(7 * time.Minute)
			story = append(story, item(measure.BloodGlucose, night, 61), item(measure.BloodGlucose, night.Add(20*time.Minute), 104))
		}
		for _, it := range story {
			it.ExternalID = "demo:story:" + it.ExternalID
			its = append(its, it)
		}
		if len(its) > 0 {
			if _, err := sv.Readings.Ingest(ctx, readings.Batch{Door: readings.DoorHTTP, Source: readings.SourceImport, By: &nurse,
				PatientID: pu.ID, Items: its}); err != nil {
				return fmt.Errorf("demo readings for %s: %w", p.name, err)
			}
		}
		if p.email == "amina.diallo@demo.tend.example" {
			as, err := sv.Monitoring.Alerts(ctx, nurse, monitoring.AlertFilter{PatientID: pu.ID})
			if err != nil {
				return err
			}
			for _, a := range as {
				if _, err := sv.Monitoring.Acknowledge(ctx, nurse, a.ID, "called Amina: had skipped her evening snack"); err != nil {
					return err
				}
				if _, err := sv.Monitoring.Resolve(ctx, nurse, a.ID, "glucose back to 104 after juice; no further action"); err != nil {
					return err
				}
			}
		}
	}
	// The schedulers catch up on the three days, as after downtime.
	if _, err := sv.Monitoring.Tick(ctx, now); err != nil {
		return fmt.Errorf("demo: missed measurements: %w", err)
	}
	if _, err := sv.Medications.Tick(ctx, now); err != nil {
		return fmt.Errorf("demo: missed doses: %w", err)
	}
	return loadAppointments(ctx, sv, ids, doctorOf, now, principal)
}

// loadAppointments publishes weekday hours for the doctors and nurses and
// books a few visits.
func loadAppointments(ctx context.Context, sv Services, ids map[string]people.User, doctorOf map[string]people.User, now time.Time,
	principal func(people.User) people.Principal) error {
	weekdays := []string{"monday", "tuesday", "wednesday", "thursday", "friday"}
	for _, s := range staff[1:] {
		u := ids[s.email]
		zone := "Europe/London"
		if s.profile != nil {
			zone = s.profile.TimeZone
		}
		var hours []appointments.WeeklyHours
		for _, d := range weekdays {
			hours = append(hours, appointments.WeeklyHours{Weekday: d, Start: "09:00", End: "12:00", Kind: appointments.InPerson},
				appointments.WeeklyHours{Weekday: d, Start: "13:00", End: "15:00", Kind: appointments.Video})
		}
		if _, err := sv.Appointments.SetAvailability(ctx, principal(u), u.ID, appointments.NewAvailability{TimeZone: zone, SlotMinutes: 20, Weekly: hours}); err != nil {
			return fmt.Errorf("demo availability of %s: %w", s.name, err)
		}
	}
	bookings := []struct {
		patient, reason string
		nth             int
	}{
		{"margaret.hill@demo.tend.example", "Blood pressure review after the high reading", 0},
		{"olav.berg@demo.tend.example", "Three-month check of blood pressure and weight", 3},
		{"luis.fernandez@demo.tend.example", "Follow-up on the new exercise plan", 1},
		{"kenji.watanabe@demo.tend.example", "Heart failure review: fluid and weight", 5},
	}
	for _, b := range bookings {
		pu := ids[b.patient]
		doc := doctorOf[b.patient]
		slots, err := sv.Appointments.OpenSlots(ctx, principal(pu), doc.ID, now.Add(24*time.Hour), now.Add(8*24*time.Hour))
		if err != nil {
			return fmt.Errorf("demo open slots: %w", err)
		}
		if len(slots) <= b.nth {
			continue
		}
		if _, err := sv.Appointments.Book(ctx, principal(pu), appointments.NewBooking{PatientID: pu.ID, ProfessionalID: doc.ID,
			Start: slots[b.nth].Start, Kind: slots[b.nth].Kind, Reason: b.reason}); err != nil {
			return fmt.Errorf("demo booking: %w", err)
		}
	}
	return nil
}
