package mllp

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tend-health/tend/internal/hl7"
	"github.com/tend-health/tend/internal/readings"
)

// LOINC codes of the blood pressure panel and its parts.
const (
	loincBPPanel = "85354-9"
	loincSys     = "8480-6"
	loincDia     = "8462-4"
	loincMean    = "8478-0"
)

var bpPart = map[string]string{loincSys: "systolic", loincDia: "diastolic", loincMean: "mean"}

// pending is a reading on its way to Ingest, with the OBX rows it came
// from (indices among the message's observations).
type pending struct {
	item readings.Item
	rows []int
}

// batch is the readings of one device.
type batch struct {
	eui     string
	fromMSH bool // the EUI-64 came from MSH-3, not from an OBX row
	row     int  // the first row, for error locations
	items   []pending
	bp      map[string]int // blood pressure group → index in items
}

// euiLocation is where the batch's EUI-64 was given.
func (b *batch) euiLocation() hl7.Location {
	if b.fromMSH {
		return hl7.Location{Segment: "MSH", Sequence: 1, Field: 3, Component: 2}
	}
	return obxLocation(b.row, 18)
}

// plan turns the numeric OBX rows of a message into readings, grouped by
// device, and notes the rows it cannot use.
func plan(oru *hl7.ORU, v *verdict) []*batch {
	var order []*batch
	byEUI := map[string]*batch{}
	for i := range oru.Observations {
		o := &oru.Observations[i]
		if o.IsDevice || o.ValueType != "NM" || !o.HasNumber {
			continue // device rows, text, codes: nothing to measure
		}
		switch o.Status {
		case "R", "F", "C":
		default:
			v.add(hl7.CodeTableValueNotFound, obxLocation(i, 11),
				"%s: result status %s is not stored; only R, F and C are", rowName(oru, i, 11), quote(o.Status))
			continue
		}
		mp, err := hl7.MapObservation(*o)
		if err != nil {
			v.addErr(err)
			continue
		}
		eui, fromMSH := o.DeviceEUI64, false
		if eui == "" {
			eui, fromMSH = oru.SendingEUI64, true
		}
		if eui == "" {
			v.add(hl7.CodeRequiredFieldMissing, obxLocation(i, 18),
				"%s: no device EUI-64, neither in OBX-18 (of this row or of the device row containing it) nor in MSH-3", rowName(oru, i, 18))
			continue
		}
		b := byEUI[eui]
		if b == nil {
			b = &batch{eui: eui, fromMSH: fromMSH, row: i, bp: map[string]int{}}
			if o.DeviceInherited {
				// Point at the device row that gave the EUI-64.
				for j := range oru.Observations {
					if d := &oru.Observations[j]; d.IsDevice && d.DeviceEUI64 == eui {
						b.row = j
						break
					}
				}
			}
			byEUI[eui] = b
			order = append(order, b)
		}
		taken := o.Time.Time
		ext := externalID(oru.ControlID, o, i)
		flags := abnormalFlags(o)
		if o.Status == "C" {
			flags = append(flags, "corrected")
		}
		if part, ok := bpPart[mp.Measure.LOINC]; ok {
			// The parts of one measurement share the request, the channel
			// (the containment path above the metric) and the time.
			key := fmt.Sprintf("%d|%s|%d", o.Request, channel(o), taken.UnixNano())
			c := readings.Component{Key: part, Value: o.Number, Unit: mp.UCUM}
			if k, ok := b.bp[key]; ok {
				p := &b.items[k]
				p.item.Components = append(p.item.Components, c)
				p.item.Flags = mergeFlags(p.item.Flags, flags)
				p.rows = append(p.rows, i)
				continue
			}
			b.bp[key] = len(b.items)
			b.items = append(b.items, pending{rows: []int{i}, item: readings.Item{LOINC: loincBPPanel, Unit: mp.UCUM,
				TakenAt: taken, ExternalID: ext, Flags: flags, Components: []readings.Component{c}}})
			continue
		}
		n := o.Number
		b.items = append(b.items, pending{rows: []int{i}, item: readings.Item{LOINC: mp.Measure.LOINC, Value: &n,
			Unit: mp.UCUM, TakenAt: taken, ExternalID: ext, Flags: flags}})
	}
	return order
}

// externalID names a reading by its message, its place in the message and
// its time: a resent message gives the same ids, a new message that reuses
// an old control id (a gateway's counter restarting) does not.
func externalID(controlID string, o *hl7.Observation, row int) string {
	set := o.SetID
	if set <= 0 {
		set = row + 1
	}
	if len(controlID) > 180 {
		controlID = controlID[:180]
	}
	return fmt.Sprintf("%s/%d.%d@%s", controlID, o.Request, set, o.Time.Time.UTC().Format("20060102T150405.000"))
}

// channel is the containment path above the metric: "1.2.1" for
// "1.2.1.3".
func channel(o *hl7.Observation) string {
	if len(o.Containment) < 2 {
		return ""
	}
	parts := make([]string, len(o.Containment)-1)
	for i, n := range o.Containment[:len(o.Containment)-1] {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ".")
}

// abnormalFlags turns OBX-8 (HL7 table 0078) into reading flags.
func abnormalFlags(o *hl7.Observation) []string {
	var out []string
	for _, f := range o.AbnormalFlags {
		var name string
		switch strings.ToUpper(strings.TrimSpace(f)) {
		case "", "N":
			continue
		case "H":
			name = "above-high-normal"
		case "L":
			name = "below-low-normal"
		case "HH":
			name = "above-upper-panic-limit"
		case "LL":
			name = "below-lower-panic-limit"
		case "A":
			name = "abnormal"
		case "AA":
			name = "very-abnormal"
		default:
			continue
		}
		out = mergeFlags(out, []string{name})
	}
	return out
}

func mergeFlags(a, b []string) []string {
	for _, f := range b {
		seen := false
		for _, g := range a {
			if g == f {
				seen = true
				break
			}
		}
		if !seen {
			a = append(a, f)
		}
	}
	return a
}
