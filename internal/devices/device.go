package devices

import (
	"slices"
	"strings"
	"time"

	"github.com/tend-health/tend/internal/errs"
)

// Kind is what a device measures.
type Kind string

// The kinds of device.
const (
	BloodPressureMonitor  Kind = "blood_pressure_monitor"
	Thermometer           Kind = "thermometer"
	Glucometer            Kind = "glucometer"
	PulseOximeter         Kind = "pulse_oximeter"
	HeartRateStrap        Kind = "heart_rate_strap"
	Scale                 Kind = "scale"
	MultiParameterMonitor Kind = "multi_parameter_monitor"
)

// Kinds lists every kind of device.
var Kinds = []Kind{BloodPressureMonitor, Thermometer, Glucometer, PulseOximeter, HeartRateStrap, Scale, MultiParameterMonitor}

// Protocols lists how a device may usually talk to Tend; empty means not said.
var Protocols = []string{"http", "fhir", "mqtt", "mllp", "gatt"}

// Device is a registered device. It never carries its secret.
type Device struct {
	ID       string `json:"id"`
	Kind     Kind   `json:"kind"`
	Maker    string `json:"maker"`
	Model    string `json:"model"`
	Serial   string `json:"serial"`
	EUI64    string `json:"eui64,omitempty" doc:"IEEE EUI-64, 16 upper-case hex digits"`
	Protocol string `json:"protocol,omitempty"`
	Label    string `json:"label,omitempty"`
	Enabled  bool   `json:"enabled"`

	// PatientID is the patient the device is assigned to now, empty when
	// none; AssignedAt is when that assignment began.
	PatientID  string     `json:"patientId,omitempty"`
	AssignedAt *time.Time `json:"assignedAt,omitempty"`

	// What the device last told Tend about itself.
	LastSeenAt     *time.Time `json:"lastSeenAt,omitempty"`
	BatteryPercent *int       `json:"batteryPercent,omitempty"`
	Status         string     `json:"status,omitempty" doc:"Last status the device reported, such as battery-low"`
	StatusAt       *time.Time `json:"statusAt,omitempty"`

	CredentialSetAt time.Time `json:"credentialSetAt"`
	CreatedAt       time.Time `json:"createdAt"`
	UpdatedAt       time.Time `json:"updatedAt"`

	// Refusals counts the readings Tend refused from this device, by
	// reason. Get and List fill it; Lookup and Authenticate leave it nil.
	Refusals []Refusal `json:"refusals,omitempty"`
}

// Assigned tells whether the device is assigned to a patient.
func (d Device) Assigned() bool { return d.PatientID != "" }

// Refusal counts the readings refused from a device for one reason.
type Refusal struct {
	Reason  string    `json:"reason"`
	Count   int64     `json:"count"`
	FirstAt time.Time `json:"firstAt"`
	LastAt  time.Time `json:"lastAt"`
}

// NewDevice is what an administrator gives to register a device.
type NewDevice struct {
	Kind     Kind   `json:"kind"`
	Maker    string `json:"maker" minLength:"1" maxLength:"100"`
	Model    string `json:"model,omitempty" maxLength:"100"`
	Serial   string `json:"serial" minLength:"1" maxLength:"100"`
	EUI64    string `json:"eui64,omitempty" doc:"IEEE EUI-64: 16 hex digits, separators allowed"`
	Protocol string `json:"protocol,omitempty" enum:"http,fhir,mqtt,mllp,gatt,"`
	Label    string `json:"label,omitempty" maxLength:"200"`
}

// Credential is a device's secret, shown once: when the device is added and
// when its credential is rotated. Tend keeps only its hash.
type Credential struct {
	DeviceID string `json:"deviceId"`
	Secret   string `json:"secret"`
}

// Assignment is one period during which a device was a patient's.
type Assignment struct {
	ID           string     `json:"id"`
	DeviceID     string     `json:"deviceId"`
	PatientID    string     `json:"patientId"`
	From         time.Time  `json:"from"`
	To           *time.Time `json:"to,omitempty"`
	AssignedBy   string     `json:"assignedBy,omitempty"`
	UnassignedBy string     `json:"unassignedBy,omitempty"`
}

// Filter narrows a listing of devices. Zero fields do not filter.
type Filter struct {
	Kind      Kind
	PatientID string
	Enabled   *bool
	Assigned  *bool
	Q         string // part of the maker, model, serial, label or EUI-64
	After     string // the id of the last device of the previous page
	Limit     int    // default 100, at most 1000
}

const maxText = 100

// check validates and tidies a new device.
func (n NewDevice) check() (NewDevice, error) {
	n.Maker = strings.TrimSpace(n.Maker)
	n.Model = strings.TrimSpace(n.Model)
	n.Serial = strings.TrimSpace(n.Serial)
	n.Label = strings.TrimSpace(n.Label)
	n.Protocol = strings.ToLower(strings.TrimSpace(n.Protocol))
	switch {
	case !slices.Contains(Kinds, n.Kind):
		return n, errs.Field("kind", "%q is not a kind of device; use one of %s", n.Kind, kindList())
	case n.Maker == "":
		return n, errs.Field("maker", "give the device's maker")
	case len(n.Maker) > maxText:
		return n, errs.Field("maker", "the maker's name is longer than %d characters", maxText)
	case n.Serial == "":
		return n, errs.Field("serial", "give the device's serial number")
	case len(n.Serial) > maxText:
		return n, errs.Field("serial", "the serial number is longer than %d characters", maxText)
	case len(n.Model) > maxText:
		return n, errs.Field("model", "the model is longer than %d characters", maxText)
	case len(n.Label) > 2*maxText:
		return n, errs.Field("label", "the label is longer than %d characters", 2*maxText)
	case n.Protocol != "" && !slices.Contains(Protocols, n.Protocol):
		return n, errs.Field("protocol", "%q is not a protocol Tend speaks; use %s, or leave it empty", n.Protocol, strings.Join(Protocols, ", "))
	}
	if n.EUI64 != "" {
		eui, err := NormalizeEUI64(n.EUI64)
		if err != nil {
			return n, err
		}
		n.EUI64 = eui
	}
	return n, nil
}

func kindList() string {
	parts := make([]string, len(Kinds))
	for i, k := range Kinds {
		parts[i] = string(k)
	}
	return strings.Join(parts, ", ")
}

// NormalizeEUI64 returns an EUI-64 as Tend stores it: 16 upper-case hex
// digits. It accepts lower case and the separators ':', '-' and ' ' between
// bytes, as labels and HL7 messages write them.
func NormalizeEUI64(s string) (string, error) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r == ':' || r == '-' || r == ' ' || r == '.':
		case r >= '0' && r <= '9', r >= 'A' && r <= 'F':
			b.WriteRune(r)
		case r >= 'a' && r <= 'f':
			b.WriteRune(r - 'a' + 'A')
		default:
			return "", errs.Field("eui64", "an EUI-64 has only hex digits (0-9, A-F), got %q", s)
		}
	}
	if b.Len() != 16 {
		return "", errs.Field("eui64", "an EUI-64 has 16 hex digits, got %d in %q", b.Len(), s)
	}
	return b.String(), nil
}
