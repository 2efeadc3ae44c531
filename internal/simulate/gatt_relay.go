package simulate

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/tend-health/tend/internal/measure"
)

// gattValue is one raw characteristic value as a phone relays it.
type gattValue struct {
	Characteristic string     `json:"characteristic"`
	Hex            string     `json:"hex"`
	ExternalID     string     `json:"externalId,omitempty"`
	ReceivedAt     *time.Time `json:"receivedAt,omitempty"`

	raw      []byte
	readings int // how many readings the value carries
}

// bloodPressureStatus is the 2A35 status field for a reading's flags.
func bloodPressureStatus(flags []string) uint16 {
	var s uint16
	for _, f := range flags {
		switch f {
		case "body-movement":
			s |= 1 << 0
		case "cuff-too-loose":
			s |= 1 << 1
		case "irregular-pulse":
			s |= 1 << 2
		case "improper-position":
			s |= 1 << 5
		}
	}
	return s
}

// GATTValue encodes a measurement as the one characteristic value its
// device would notify or indicate: the cuff's 2A35 (with the pulse), the
// thermometer's 2A1C, the CGM's 2A18, the oximeter's 2A5E, the strap's
// 2A37. The device's clock shows the patient's local time. Devices without
// a characteristic here (scales, monitors) give an error.
func GATTValue(m Measurement) (characteristic string, value []byte, err error) {
	d := m.Device
	local := m.TakenAt.In(d.Patient.loc).Truncate(time.Second)
	get := func(typ string) *Reading {
		for i := range m.Readings {
			if m.Readings[i].Type == typ {
				return &m.Readings[i]
			}
		}
		return nil
	}
	switch d.Kind {
	case BloodPressureMonitor:
		bp, hr := get(measure.BloodPressure), get(measure.HeartRate)
		v := BloodPressureValue{Systolic: bp.Component(measure.Systolic), Diastolic: bp.Component(measure.Diastolic),
			Mean: bp.Component(measure.Mean), Time: local, Status: bloodPressureStatus(bp.Flags)}
		if hr != nil {
			v.Pulse = hr.Value
		}
		value, err = EncodeBloodPressure(v)
		return "2A35", value, err
	case Thermometer:
		value, err = EncodeTemperature(get(measure.BodyTemperature).Value, local, TemperatureEar)
		return "2A1C", value, err
	case Glucometer:
		seq := uint16(m.At.Unix() / 300)
		value, err = EncodeGlucose(seq, local, get(measure.BloodGlucose).Value, GlucoseInterstitialFluid, GlucoseLocationUnknown)
		return "2A18", value, err
	case PulseOximeter:
		value, err = EncodePLXSpotCheck(get(measure.SpO2).Value, get(measure.HeartRate).Value, local)
		return "2A5E", value, err
	case HeartRateStrap:
		value, err = EncodeHeartRate(get(measure.HeartRate).Value)
		return "2A37", value, err
	}
	return "", nil, fmt.Errorf("a %s has no Bluetooth characteristic in the simulator", d.Kind)
}

func gattValues(ms []Measurement) ([]gattValue, error) {
	out := make([]gattValue, 0, len(ms))
	for _, m := range ms {
		c, raw, err := GATTValue(m)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Device, err)
		}
		// The strap sends no time: the phone says when it heard the value.
		at := m.TakenAt.UTC()
		out = append(out, gattValue{Characteristic: c, Hex: hex.EncodeToString(raw), raw: raw, readings: len(m.Readings),
			ExternalID: "sim:" + m.Device.Serial + ":gatt:" + m.slot(), ReceivedAt: &at})
	}
	return out, nil
}

// gattSender relays raw characteristic values over HTTP, as a phone does:
// POST /api/v1/devices/{id}/gatt, signed in as the device.
type gattSender struct{ web *web }

type gattAnswer struct {
	Values []struct {
		Error   string   `json:"error"`
		Results []result `json:"results"`
	} `json:"values"`
}

func (s *gattSender) send(ctx context.Context, d *Device, ms []Measurement, c *counter) error {
	vals, err := gattValues(ms)
	if err != nil {
		c.errors(readingCount(ms))
		return err
	}
	body := struct {
		Values []gattValue `json:"values"`
	}{vals}
	var ans gattAnswer
	status, err := s.web.doJSON(ctx, http.MethodPost, "/api/v1/devices/"+d.ID+"/gatt", deviceAuth(d), body, &ans)
	n := readingCount(ms)
	if err != nil {
		if status >= 400 && status < 500 && status != http.StatusTooManyRequests {
			c.refused(httpReason(status), n)
		} else {
			c.errors(n)
		}
		return err
	}
	c.sent(DoorGATT, n)
	for i, v := range ans.Values {
		if v.Error != "" && i < len(vals) {
			c.refused("undecodable", vals[i].readings)
			continue
		}
		for _, r := range v.Results {
			c.outcome(r.Outcome, r.Reason)
		}
	}
	return nil
}

func (s *gattSender) close(*counter) {}
