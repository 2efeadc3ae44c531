package simulate

import (
	"strings"
	"time"
)

// Profile is a kind of patient: the devices they use, when they measure,
// and the ranges their physiology is drawn from.
type Profile struct {
	Name    string // stable key, such as "type1_diabetic"
	Title   string // for people
	Devices []DeviceSpec

	ages [2]int // youngest and oldest
	draw func(k key) physiology
}

// DeviceSpec is one device a profile uses, and when it measures.
type DeviceSpec struct {
	Kind     Kind
	schedule schedule
}

// schedule says when a device measures: on a fixed grid (continuous
// monitoring), or in sessions at times of the patient's day.
type schedule struct {
	every    time.Duration
	sessions []session
	// everyDays spaces session days: 7 for a weekly weigh-in; 0 or 1 daily.
	everyDays int
}

// session is a time of day at which a patient measures, in their own time
// zone: at some moment in [at, at+spread), repeat times one minute apart
// (a blood pressure is taken twice).
type session struct {
	at, spread time.Duration
	repeat     int
}

func hm(h, m int) time.Duration { return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute }

// Profiles lists the patient profiles; patient i has profile i mod 5.
var Profiles = []*Profile{
	{
		Name: "hypertensive_elderly", Title: "Hypertensive, elderly",
		ages: [2]int{68, 88},
		Devices: []DeviceSpec{
			{BloodPressureMonitor, schedule{sessions: []session{{hm(7, 0), 90 * time.Minute, 2}, {hm(20, 0), 90 * time.Minute, 2}}}},
			{Scale, schedule{sessions: []session{{hm(6, 45), 75 * time.Minute, 1}}}},
		},
		draw: func(k key) physiology {
			return physiology{k: k, hrRest: k.between(1, 58, 76), sys: k.between(2, 140, 162), dia: k.between(3, 82, 96),
				dipping: k.between(4, 0.02, 0.12), temp: k.between(5, 36.3, 36.8), spo2: k.between(6, 94.5, 97),
				rr: k.between(7, 14, 18), weight: k.between(8, 62, 98), wake: k.between(9, 6, 7.5), sleep: k.between(10, 21.5, 23),
				irregular: k.between(11, 0, 0.12)}
		},
	},
	{
		Name: "type1_diabetic", Title: "Type 1 diabetes, on a CGM",
		ages: [2]int{16, 45},
		Devices: []DeviceSpec{
			{Glucometer, schedule{every: 5 * time.Minute}},
		},
		draw: func(k key) physiology {
			return physiology{k: k, hrRest: k.between(1, 58, 74), sys: k.between(2, 112, 126), dia: k.between(3, 70, 80),
				dipping: k.between(4, 0.08, 0.15), temp: k.between(5, 36.4, 36.9), spo2: k.between(6, 96.5, 98.5),
				rr: k.between(7, 12, 16), weight: k.between(8, 55, 88), wake: k.between(9, 6.5, 8), sleep: k.between(10, 22.5, 23.8),
				glucose: k.between(11, 120, 150), insulinError: k.between(12, 0.15, 0.35)}
		},
	},
	{
		Name: "copd", Title: "COPD, SpO2 target 88–92% (NEWS2 scale 2)",
		ages: [2]int{58, 82},
		Devices: []DeviceSpec{
			{PulseOximeter, schedule{sessions: []session{{hm(8, 0), time.Hour, 1}, {hm(12, 0), time.Hour, 1}, {hm(16, 0), time.Hour, 1}, {hm(20, 0), time.Hour, 1}}}},
			{Thermometer, schedule{sessions: []session{{hm(7, 30), time.Hour, 1}, {hm(19, 30), time.Hour, 1}}}},
		},
		draw: func(k key) physiology {
			return physiology{k: k, hrRest: k.between(1, 74, 90), sys: k.between(2, 122, 140), dia: k.between(3, 74, 86),
				dipping: k.between(4, 0.05, 0.1), temp: k.between(5, 36.4, 36.8), spo2: k.between(6, 88.5, 91.5),
				rr: k.between(7, 18, 22), weight: k.between(8, 50, 85), wake: k.between(9, 7, 8.5), sleep: k.between(10, 22, 23.5),
				episodes: true}
		},
	},
	{
		Name: "healthy_adult", Title: "Healthy adult with a heart rate strap",
		ages: [2]int{24, 55},
		Devices: []DeviceSpec{
			{HeartRateStrap, schedule{every: time.Minute}},
			{Scale, schedule{sessions: []session{{hm(7, 0), time.Hour, 1}}, everyDays: 7}},
		},
		draw: func(k key) physiology {
			return physiology{k: k, hrRest: k.between(1, 52, 70), sys: k.between(2, 108, 124), dia: k.between(3, 66, 80),
				dipping: k.between(4, 0.1, 0.18), temp: k.between(5, 36.4, 36.9), spo2: k.between(6, 97, 99),
				rr: k.between(7, 12, 16), weight: k.between(8, 55, 95), wake: k.between(9, 6, 7.5), sleep: k.between(10, 22.5, 23.8),
				fit: true}
		},
	},
	{
		Name: "hospital_at_home", Title: "Hospital at home, on a bedside monitor (HL7)",
		ages: [2]int{45, 85},
		Devices: []DeviceSpec{
			{MultiParameterMonitor, schedule{every: 15 * time.Minute}},
		},
		draw: func(k key) physiology {
			return physiology{k: k, hrRest: k.between(1, 72, 92), sys: k.between(2, 118, 145), dia: k.between(3, 70, 88),
				dipping: k.between(4, 0.03, 0.1), temp: k.between(5, 36.6, 37.2), spo2: k.between(6, 93.5, 96.5),
				rr: k.between(7, 16, 20), weight: k.between(8, 55, 95), wake: k.between(9, 7, 8), sleep: k.between(10, 21.5, 23),
				episodes: true}
		},
	},
}

// ProfileNames lists the profiles' names.
func ProfileNames() string {
	names := make([]string, len(Profiles))
	for i, p := range Profiles {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// times returns the moments in [from, to) at which the device measures,
// in order, to the second.
func (d *Device) times(from, to time.Time) []time.Time {
	var out []time.Time
	s := d.sched
	if s.every > 0 {
		// A grid shared by all time, shifted by a phase of the device's own
		// so that all devices do not speak at the same second.
		every := int64(s.every / time.Second)
		phase := int64(d.key.with("phase").unit(0) * float64(every))
		first := floorDiv(from.Unix()-phase, every)*every + phase
		if first < from.Unix() || (first == from.Unix() && from.Nanosecond() > 0) {
			first += every
		}
		for t := first; t < to.Unix() || (t == to.Unix() && to.Nanosecond() > 0); t += every {
			out = append(out, time.Unix(t, 0))
		}
		return out
	}
	loc := d.Patient.loc
	f := from.In(loc)
	day := time.Date(f.Year(), f.Month(), f.Day()-1, 0, 0, 0, 0, loc)
	jk := d.key.with("session")
	for !day.After(to) {
		n := dayNumber(day)
		if s.everyDays <= 1 || floorMod(n+int64(d.Patient.Index), int64(s.everyDays)) == 0 {
			for i, se := range s.sessions {
				jitter := time.Duration(jk.unit(n*16+int64(i)) * float64(se.spread)).Truncate(time.Second)
				start := day.Add(se.at + jitter)
				for r := range max(se.repeat, 1) {
					t := start.Add(time.Duration(r) * time.Minute)
					if !t.Before(from) && t.Before(to) {
						out = append(out, t)
					}
				}
			}
		}
		day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
	}
	return out
}

// perDay is how many measurements the device makes in an ordinary day.
func (s schedule) perDay() float64 {
	if s.every > 0 {
		return float64(24*time.Hour) / float64(s.every)
	}
	n := 0.0
	for _, se := range s.sessions {
		n += float64(max(se.repeat, 1))
	}
	if s.everyDays > 1 {
		n /= float64(s.everyDays)
	}
	return n
}

// dayNumber numbers a local day by its date, so that it does not depend on
// the zone's offset.
func dayNumber(t time.Time) int64 {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }
