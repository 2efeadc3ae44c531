package readings

import (
	"strconv"
	"strings"
	"time"

	"github.com/tend-health/tend/internal/gatt"
)

// FlagTimeOfReceipt marks a reading whose device sent no usable time (none,
// or one with an unknown part): Tend took the time it arrived instead.
const FlagTimeOfReceipt = "time-of-receipt"

// FromGATT turns one decoded Bluetooth characteristic value into the items
// Ingest takes: the parts of a blood pressure become one panel item, every
// other observation an item of its own. Values the device marked as missing
// (NaN, NRes) are left out, so a pressure without its systolic is refused
// as incomplete rather than stored half. Device times are read in loc (the
// patient's zone); a missing or incomplete one is replaced by received and
// flagged FlagTimeOfReceipt. Device status flags (battery low, faults) also
// go to the device's record through Item.DeviceStatus.
//
// externalID is the relay's id for the value, when it has one; each item
// gets it with "#" and the item's LOINC code, so that items of one value
// stay apart. Without one, a glucose record's sequence number serves
// ("glucose-seq-17"), since the meter numbers its records. A value that
// measured nothing about the patient (control solution, demonstration data)
// yields no items.
func FromGATT(res gatt.Result, loc *time.Location, received time.Time, externalID string) []Item {
	if loc == nil {
		loc = time.UTC
	}
	var flags, deviceFlags []string
	for _, f := range res.Flags {
		flags = append(flags, f.Name)
		if f.Kind == gatt.KindDevice {
			deviceFlags = append(deviceFlags, f.Name)
		}
	}
	when := func(o gatt.Observation) (time.Time, bool) {
		if o.Time != nil {
			if t, ok := o.Time.In(loc); ok {
				return t, true
			}
		}
		return received, false
	}
	var items []Item
	panel := -1
	for _, o := range res.Observations {
		if !o.Value.Valid() {
			continue
		}
		v := o.Value.Float64()
		at, known := when(o)
		itemFlags := append([]string(nil), flags...)
		if !known {
			itemFlags = append(itemFlags, FlagTimeOfReceipt)
		}
		if o.Panel != "" {
			if panel < 0 {
				items = append(items, Item{LOINC: o.Panel, Unit: string(o.Unit), TakenAt: at, Flags: itemFlags})
				panel = len(items) - 1
			}
			items[panel].Components = append(items[panel].Components, Component{LOINC: o.LOINC, Value: v, Unit: string(o.Unit)})
			continue
		}
		items = append(items, Item{LOINC: o.LOINC, Value: &v, Unit: string(o.Unit), TakenAt: at, Flags: itemFlags})
	}
	base := externalID
	if base == "" && res.Glucose != nil {
		base = "glucose-seq-" + strconv.Itoa(int(res.Glucose.Sequence))
	}
	for i := range items {
		if base != "" {
			items[i].ExternalID = base + "#" + items[i].LOINC
		}
		if len(deviceFlags) > 0 {
			items[i].DeviceStatus = strings.Join(deviceFlags, ",")
		}
	}
	return items
}
