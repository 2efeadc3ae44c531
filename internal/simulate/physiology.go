package simulate

import (
	"math"
	"strconv"
	"time"

	"github.com/tend-health/tend/internal/measure"
)

// physiology is one patient's body: baselines drawn from their profile's
// ranges, and the rhythms every value follows. Every value is a pure
// function of the time (see rand.go).
type physiology struct {
	k key

	hrRest       float64 // resting heart rate, /min
	sys, dia     float64 // daytime blood pressure, mmHg
	dipping      float64 // how much the pressure falls in sleep, as a fraction
	temp         float64 // body temperature, °C
	spo2         float64 // usual SpO2, %
	rr           float64 // respiratory rate, /min
	weight       float64 // kg
	glucose      float64 // fasting glucose of a diabetic, mg/dL; 0 for a working pancreas
	insulinError float64 // spread of the mismatch between a meal and its insulin dose
	wake, sleep  float64 // usual local hours of waking and falling asleep
	irregular    float64 // chance that a blood pressure cuff finds an irregular pulse
	episodes     bool    // exacerbations: days of low SpO2, fast breathing, fever
	fit          bool    // exercises
}

// moment is a time as the body lives it.
type moment struct {
	t     time.Time
	s     float64 // seconds since the epoch
	h     float64 // local hour of the day, fractional
	day   int64   // local day number
	wake  float64 // local hour of waking on this day
	awake float64 // 0 asleep … 1 awake
	ep    float64 // 0 well … 1 in an exacerbation
}

func (p *physiology) at(t time.Time, loc *time.Location) moment {
	lt := t.In(loc)
	m := moment{t: t, s: float64(t.Unix()), day: dayNumber(lt)}
	m.h = float64(lt.Hour()) + float64(lt.Minute())/60 + float64(lt.Second())/3600
	jk := p.k.with("sleep")
	m.wake = p.wake + jk.between(m.day*2, -0.4, 0.4)
	sleep := math.Min(p.sleep+jk.between(m.day*2+1, -0.5, 0.5), 23.9)
	m.awake = logistic((m.h-m.wake)/0.2) * logistic((sleep-m.h)/0.2)
	if p.episodes {
		m.ep = clamp((p.k.with("episode").smooth(m.s, 2.5*86400)-1.0)/0.8, 0, 1)
	}
	return m
}

func logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

func round(v float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(v*p) / p
}

func (p *physiology) heartRate(m moment) float64 {
	v := p.hrRest - 5*(1-m.awake) + 9*m.awake
	v += 10 * math.Max(0, p.k.with("activity").smooth(m.s, 1200)) * m.awake
	if p.fit {
		v += 50 * clamp(p.k.with("exercise").smooth(m.s, 2400)-1.4, 0, 1.5) * m.awake
	}
	v += 14*m.ep + 2.5*p.k.with("hr").normal(m.t.Unix())
	return math.Round(clamp(v, 38, 190))
}

func (p *physiology) bloodPressure(m moment) (sys, dia, mean float64) {
	night := 1 - p.dipping*(1-m.awake)
	surge := 12 * math.Exp(-(m.h-m.wake-1)*(m.h-m.wake-1)/1.5) * m.awake
	sys = p.sys*night + surge + 5*p.k.with("bp").smooth(m.s, 6*3600) + 5*p.k.with("sys").normal(m.t.Unix())
	dia = p.dia*night + 0.5*(sys-p.sys*night) + 3*p.k.with("dia").normal(m.t.Unix())
	sys = math.Round(clamp(sys, 85, 230))
	dia = math.Round(clamp(dia, 45, sys-20))
	return sys, dia, math.Round(dia + (sys-dia)/3)
}

func (p *physiology) temperature(m moment) float64 {
	v := p.temp + 0.3*math.Cos(2*math.Pi*(m.h-17)/24) - 0.15*(1-m.awake) + 0.1*p.k.with("temp").normal(m.t.Unix())
	v += 1.8 * m.ep
	return round(clamp(v, 35.2, 40.5), 1)
}

func (p *physiology) spO2(m moment) float64 {
	v := p.spo2 + 0.7*p.k.with("spo2").normal(m.t.Unix()) - 0.6*(1-m.awake) + 0.8*p.k.with("spo2s").smooth(m.s, 3*3600) - 5*m.ep
	return math.Round(clamp(v, 80, 100))
}

func (p *physiology) respiratoryRate(m moment) float64 {
	v := p.rr + 1.2*p.k.with("rr").normal(m.t.Unix()) + 8*m.ep - (1 - m.awake)
	return math.Round(clamp(v, 8, 36))
}

func (p *physiology) bodyWeight(m moment) float64 {
	v := p.weight + 0.8*p.k.with("weight").smooth(m.s, 10*86400) + 0.25*p.k.with("weighing").normal(m.day)
	return round(v, 1)
}

// meal is one meal: when, and how much carbohydrate.
type meal struct {
	at    time.Time
	carbs float64 // g
	dose  float64 // insulin given, as a fraction of what the meal needed
}

// meals returns the meals of a local day: breakfast after waking, lunch,
// perhaps a snack, dinner.
func (p *physiology) meals(day int64, loc *time.Location) []meal {
	mk := p.k.with("meals")
	d := time.Unix(day*86400, 0).UTC()
	midnight := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	at := func(i int64, fromHour, spreadHours float64) time.Time {
		return midnight.Add(time.Duration((fromHour + mk.unit(day*32+i)*spreadHours) * float64(time.Hour)))
	}
	dose := func(i int64) float64 {
		if p.glucose == 0 {
			return 1
		}
		return clamp(1+p.insulinError*mk.with("dose").normal(day*32+i), 0.4, 1.8)
	}
	ms := []meal{
		{at(0, p.wake+0.3, 1), mk.between(day*32+10, 30, 70), dose(0)},
		{at(1, 12, 1.5), mk.between(day*32+11, 40, 90), dose(1)},
		{at(2, 18, 2), mk.between(day*32+12, 50, 100), dose(2)},
	}
	if mk.unit(day*32+20) < 0.4 {
		ms = append(ms, meal{at(3, 15.5, 1.5), mk.between(day*32+13, 15, 30), dose(3)})
	}
	return ms
}

// curve rises from 0 to a peak of 1 at tp and falls back slowly.
func curve(dt, tp float64) float64 {
	if dt <= 0 {
		return 0
	}
	return dt / tp * math.Exp(1-dt/tp)
}

// bloodGlucose is what a CGM reads: a base level with a dawn rise and slow
// drift, each meal's rise and its insulin's later fall (too much insulin
// for a meal brings a low a few hours on), and sensor noise.
func (p *physiology) bloodGlucose(m moment, loc *time.Location) float64 {
	base, gain := p.glucose, 2.6
	if base == 0 {
		base, gain = 92, 0.9
	}
	v := base + 25*p.k.with("glucose").smooth(m.s, 8*3600) + 25*math.Exp(-(m.h-6)*(m.h-6)/3)
	for day := m.day - 1; day <= m.day; day++ {
		for _, ml := range p.meals(day, loc) {
			dt := m.t.Sub(ml.at).Minutes()
			if dt <= 0 || dt > 10*60 {
				continue
			}
			a := gain * ml.carbs
			v += a * (curve(dt, 45) - 0.375*ml.dose*curve(dt, 120))
		}
	}
	v += 6 * p.k.with("cgm").normal(m.t.Unix())
	return math.Round(clamp(v, 40, 400))
}

// Injections are the faults the simulator adds to what it sends.
type Injections struct {
	// OutOfRange is the fraction of readings whose value is replaced by
	// one outside the plausible range, which Tend refuses as implausible.
	OutOfRange float64
	// Gaps is the fraction of each device's time during which it is
	// silent, in stretches of two hours or more.
	Gaps float64
	// Duplicates is the fraction of measurements sent twice, as a device
	// does when it missed the acknowledgement.
	Duplicates float64
}

// gapWindow is the length of the stretches a device may fall silent for.
const gapWindow = 2 * time.Hour

// Silent reports whether an injected gap silences the device at t.
func (d *Device) Silent(t time.Time, gaps float64) bool {
	if gaps <= 0 {
		return false
	}
	return d.key.with("gap").unit(floorDiv(t.Unix(), int64(gapWindow/time.Second))) < gaps
}

// Measure returns what the device measures in [from, to), with the
// injections applied, and how many measurements gaps withheld.
func (d *Device) Measure(from, to time.Time, inj Injections) (ms []Measurement, withheld int) {
	for _, t := range d.times(from, to) {
		if d.Silent(t, inj.Gaps) {
			withheld++
			continue
		}
		m := d.MeasureAt(t, inj.OutOfRange)
		ms = append(ms, m)
		if inj.Duplicates > 0 && d.key.with("resend").unit(t.Unix()) < inj.Duplicates {
			again := m
			again.Resend = true
			ms = append(ms, again)
		}
	}
	return ms, withheld
}

// MeasureAt returns the device's measurement at t, with a fraction
// outOfRange of its readings made implausible.
func (d *Device) MeasureAt(t time.Time, outOfRange float64) Measurement {
	p := &d.Patient.phys
	loc := d.Patient.loc
	mo := p.at(t, loc)
	m := Measurement{Device: d, At: t, TakenAt: t, Battery: d.battery(t)}
	add := func(typ string, v float64, flags ...string) {
		m.Readings = append(m.Readings, Reading{Type: typ, Value: v, Unit: unitOf(typ), Flags: flags})
	}
	bp := func(flags ...string) {
		sys, dia, mean := p.bloodPressure(mo)
		m.Readings = append(m.Readings, Reading{Type: measure.BloodPressure, Unit: unitOf(measure.BloodPressure), Flags: flags,
			Components: []Component{{measure.Systolic, sys}, {measure.Diastolic, dia}, {measure.Mean, mean}}})
	}
	switch d.Kind {
	case BloodPressureMonitor:
		var flags []string
		fk := d.key.with("cuff-flags")
		if fk.unit(t.Unix()) < p.irregular {
			flags = append(flags, "irregular-pulse")
		}
		if fk.with("movement").unit(t.Unix()) < 0.02 {
			flags = append(flags, "body-movement")
		}
		bp(flags...)
		add(measure.HeartRate, p.heartRate(mo), flags...)
	case Thermometer:
		add(measure.BodyTemperature, p.temperature(mo))
	case Glucometer:
		add(measure.BloodGlucose, p.bloodGlucose(mo, loc))
	case PulseOximeter:
		add(measure.SpO2, p.spO2(mo))
		add(measure.HeartRate, p.heartRate(mo))
	case HeartRateStrap:
		add(measure.HeartRate, p.heartRate(mo))
	case Scale:
		add(measure.BodyWeight, p.bodyWeight(mo))
	case MultiParameterMonitor:
		add(measure.HeartRate, p.heartRate(mo))
		add(measure.SpO2, p.spO2(mo))
		add(measure.RespiratoryRate, p.respiratoryRate(mo))
		add(measure.BodyTemperature, p.temperature(mo))
		if floorMod(t.Unix()/900, 4) == 0 {
			bp()
		}
	}
	ok := d.key.with("out-of-range")
	for i := range m.Readings {
		r := &m.Readings[i]
		r.ExternalID = m.readingID(r.Type)
		if outOfRange > 0 && ok.unit(t.Unix()*8+int64(i)) < outOfRange {
			implausible(r, ok.with("value").unit(t.Unix()*8+int64(i)))
		}
	}
	return m
}

// Stamp sets the time sent with the measurement. A time other than the
// one measured (in a run faster or slower than real time) goes into the
// ids too, so that another run over the same simulated hours sends new
// readings rather than duplicates of the last run's; the same measurement
// stamped the same (a resend) keeps its ids.
func (m *Measurement) Stamp(t time.Time) {
	m.TakenAt = t
	for i := range m.Readings {
		m.Readings[i].ExternalID = m.readingID(m.Readings[i].Type)
	}
}

// slot names the measurement's moment in ids.
func (m Measurement) slot() string {
	s := strconv.FormatInt(m.At.Unix(), 10)
	if !m.TakenAt.Equal(m.At) {
		s += "@" + strconv.FormatInt(m.TakenAt.UnixMilli(), 10)
	}
	return s
}

func (m Measurement) readingID(typ string) string {
	return "sim:" + m.Device.Serial + ":" + typ + ":" + m.slot()
}

// implausible replaces the reading's value by one beyond the type's
// plausible range; u in [0, 1) picks how far beyond.
func implausible(r *Reading, u float64) {
	r.OutOfRange = true
	switch r.Type {
	case measure.BloodPressure:
		for i := range r.Components {
			if r.Components[i].Key == measure.Systolic {
				r.Components[i].Value = math.Round(310 + 80*u)
			}
		}
		return
	case measure.HeartRate:
		r.Value = math.Round(320 + 500*u)
	case measure.BodyTemperature:
		r.Value = round(46+34*u, 1)
	case measure.SpO2:
		r.Value = math.Round(101 + 40*u)
	case measure.RespiratoryRate:
		r.Value = math.Round(101 + 80*u)
	case measure.BloodGlucose:
		r.Value = math.Round(1010 + 900*u)
	case measure.BodyWeight:
		r.Value = round(660+200*u, 1)
	}
}

// battery is the device's charge at t: it runs down over the kind's days
// of battery life and is charged (or changed) when nearly empty.
func (d *Device) battery(t time.Time) *int {
	days := kindInfo[d.Kind].batteryDays
	if days == 0 {
		return nil
	}
	cycle := days * 86400
	phase := d.key.with("battery").unit(0) * cycle
	frac := math.Mod(float64(t.Unix())+phase, cycle) / cycle
	b := int(math.Round(100 - 90*frac))
	return &b
}

// PerDay is how many measurements the device makes in an ordinary day.
func (d *Device) PerDay() float64 { return d.sched.perDay() }
