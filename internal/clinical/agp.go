package clinical

import (
	"slices"
	"time"
)

// HourProfile is the spread of glucose in one hour of the patient's day,
// over all the days given.
type HourProfile struct {
	Hour  int // 0–23, local time
	Count int // readings in this hour
	// Percentiles in mg/dL; all zero when Count is zero.
	P5, P25, P50, P75, P95 float64
}

// AmbulatoryGlucoseProfile returns, for each hour of the day in loc (the
// patient's time zone; nil means UTC), the 5th, 25th, 50th, 75th and 95th
// percentiles of the readings taken in that hour, interpolating linearly
// between ranks. The caller chooses the days, usually the last 14.
// Readings whose value is not a finite number are left out.
func AmbulatoryGlucoseProfile(readings []GlucoseReading, loc *time.Location) [24]HourProfile {
	if loc == nil {
		loc = time.UTC
	}
	var byHour [24][]float64
	for _, r := range readings {
		if isFinite(r.Value) {
			h := r.Time.In(loc).Hour()
			byHour[h] = append(byHour[h], r.Value)
		}
	}
	var profile [24]HourProfile
	for h, values := range byHour {
		slices.Sort(values)
		profile[h] = HourProfile{
			Hour:  h,
			Count: len(values),
			P5:    percentile(values, 5),
			P25:   percentile(values, 25),
			P50:   percentile(values, 50),
			P75:   percentile(values, 75),
			P95:   percentile(values, 95),
		}
	}
	return profile
}
