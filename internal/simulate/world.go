package simulate

import (
	"fmt"
	"time"

	"github.com/tend-health/tend/internal/measure"
)

// Kind is a kind of device, as Tend's device register names it.
type Kind string

// The kinds of device the simulator makes.
const (
	BloodPressureMonitor  Kind = "blood_pressure_monitor"
	Thermometer           Kind = "thermometer"
	Glucometer            Kind = "glucometer"
	PulseOximeter         Kind = "pulse_oximeter"
	HeartRateStrap        Kind = "heart_rate_strap"
	Scale                 Kind = "scale"
	MultiParameterMonitor Kind = "multi_parameter_monitor"
)

// kindInfo is what the simulator knows of a kind of device.
var kindInfo = map[Kind]struct {
	code, model string
	index       int
	batteryDays float64 // how long a charge lasts; 0 for mains power
}{
	BloodPressureMonitor:  {"BPM", "SimCuff 2", 1, 90},
	Thermometer:           {"THM", "SimTherm", 2, 180},
	Glucometer:            {"CGM", "SimCGM 14", 3, 14},
	PulseOximeter:         {"OXI", "SimOx Spot", 4, 30},
	HeartRateStrap:        {"HRS", "SimStrap", 5, 7},
	Scale:                 {"SCL", "SimScale", 6, 365},
	MultiParameterMonitor: {"MON", "SimMonitor 12", 7, 0},
}

// Maker is the maker of every simulated device; the setup step finds the
// devices of an earlier run by it.
const Maker = "Tend Simulator"

// EmailDomain is the domain of every simulated person's email.
const EmailDomain = "sim.tend.example"

// Patient is one simulated patient.
type Patient struct {
	Index     int
	Email     string
	Name      string
	MRN       string
	Sex       string
	BirthDate string
	TimeZone  string
	Profile   *Profile
	Devices   []*Device

	// ID is the patient's user id in Tend, known after setup.
	ID string

	loc  *time.Location
	phys physiology
}

// Location is the patient's time zone: their day, meals and sleep follow it.
func (p *Patient) Location() *time.Location { return p.loc }

// Device is one simulated device, given to one patient.
type Device struct {
	Patient *Patient
	Kind    Kind
	Serial  string
	EUI64   string
	Model   string

	// ID and Credential are the device's id and secret in Tend, known
	// after setup.
	ID         string
	Credential string

	// Door is how the device sends its readings (after fallbacks).
	Door Door

	sched schedule
	key   key
}

// String names the device for people: its serial and kind.
func (d *Device) String() string { return d.Serial + " (" + string(d.Kind) + ")" }

// World is the simulated clinic: N patients, each with the devices their
// profile uses.
type World struct {
	Seed     int64
	Patients []*Patient
	Devices  []*Device
}

var givenNames = []string{"Ada", "Bjørn", "Carmen", "Dev", "Elif", "Farah", "Gustav", "Hana", "Ivan", "Júlia",
	"Kofi", "Lena", "Mateo", "Nora", "Olu", "Priya", "Quentin", "Rosa", "Sven", "Tariq", "Una", "Viktor", "Wen", "Yusuf", "Zofia"}

var familyNames = []string{"Andersen", "Bakker", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Haugen", "Ibrahim",
	"Jensen", "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Pereira", "Quist", "Rossi", "Singh", "Tanaka", "Usman", "Vogel", "Wright", "Yilmaz", "Zhang"}

var timeZones = []string{"Europe/Oslo", "Europe/London", "America/New_York", "Europe/Berlin", "America/Chicago", "Asia/Kolkata"}

// NewWorld makes n patients. Who they are (name, email, MRN, profile,
// devices) depends only on their index, so runs with different seeds
// reuse the same people in Tend; their physiology depends on the seed.
func NewWorld(seed int64, n int) (*World, error) {
	w := &World{Seed: seed}
	for i := range n {
		p := &Patient{
			Index:    i,
			Email:    fmt.Sprintf("sim-patient-%05d@%s", i+1, EmailDomain),
			Name:     givenNames[i%len(givenNames)] + " " + familyNames[(i/len(givenNames)+i*7)%len(familyNames)],
			MRN:      fmt.Sprintf("SIM%06d", i+1),
			TimeZone: timeZones[i%len(timeZones)],
			Profile:  Profiles[i%len(Profiles)],
		}
		if i >= len(givenNames) {
			p.Name += fmt.Sprintf(" %d", i/len(givenNames)+1)
		}
		loc, err := time.LoadLocation(p.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("time zone %s: %w", p.TimeZone, err)
		}
		p.loc = loc
		ik := newKey(0, "identity", p.Email)
		p.Sex = []string{"female", "male"}[ik.bits(0)%2]
		age := p.Profile.ages[0] + int(ik.bits(1)%uint64(p.Profile.ages[1]-p.Profile.ages[0]+1))
		born := time.Date(2026-age, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(ik.bits(2)%365))
		p.BirthDate = born.Format("2006-01-02")
		p.phys = p.Profile.draw(newKey(seed, "physiology", p.Email))
		for _, spec := range p.Profile.Devices {
			info := kindInfo[spec.Kind]
			d := &Device{
				Patient: p,
				Kind:    spec.Kind,
				Serial:  fmt.Sprintf("SIM-%05d-%s", i+1, info.code),
				EUI64:   fmt.Sprintf("5EED%08X%04X", i+1, info.index),
				Model:   info.model,
				sched:   spec.schedule,
			}
			d.key = newKey(seed, "device", d.Serial)
			p.Devices = append(p.Devices, d)
			w.Devices = append(w.Devices, d)
		}
		w.Patients = append(w.Patients, p)
	}
	return w, nil
}

// Measurement is what a device measures at one moment: one reading, or
// several (a blood pressure with the pulse, a monitor's set of vitals).
type Measurement struct {
	Device *Device
	At     time.Time // when the simulated body was measured
	// TakenAt is the time sent with the readings: At, unless the run's
	// clock goes faster or slower than the real one (see Config.Rate).
	TakenAt  time.Time
	Readings []Reading
	// Resend marks an injected duplicate: the same measurement sent again,
	// as a device does when it missed an acknowledgement.
	Resend bool
	// Battery is the device's charge, in percent, or nil on mains power.
	Battery *int
}

// Reading is one value, in the canonical unit of its measurement type.
type Reading struct {
	Type       string // a measurement type key, such as measure.HeartRate
	Value      float64
	Components []Component // blood pressure: systolic, diastolic, mean
	Unit       string      // UCUM
	ExternalID string
	Flags      []string
	// OutOfRange marks an injected value outside the plausible range,
	// which Tend must refuse as implausible.
	OutOfRange bool
}

// Component is one number of a panel reading.
type Component struct {
	Key   string
	Value float64
}

// Component returns the value of the panel component with the key.
func (r Reading) Component(k string) float64 {
	for _, c := range r.Components {
		if c.Key == k {
			return c.Value
		}
	}
	return 0
}

// unitOf returns the canonical unit of a measurement type.
func unitOf(typ string) string {
	t, ok := measure.ByKey(typ)
	if !ok {
		return ""
	}
	if t.IsPanel() {
		return t.Components[0].Value.Unit
	}
	return t.Value.Unit
}
