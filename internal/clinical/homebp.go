package clinical

import "time"

// The home blood pressure summary covers HomeBPDays calendar days in the
// patient's time zone, today included, and splits them into a morning and
// an evening window of local hours, each From inclusive and To exclusive.
//
// The windows follow the home monitoring protocol of the ESC/ESH
// guidelines, readings taken in the morning and in the evening: 04:00–12:00
// catches early risers and late breakfasts alike; 18:00–24:00 is the
// evening before bed. Readings outside both windows (the afternoon, the
// small hours) count in the overall mean only.
const (
	HomeBPDays  = 7
	MorningFrom = 4
	MorningTo   = 12
	EveningFrom = 18
	EveningTo   = 24
)

// The least a home summary must rest on to be read as the patient's home
// blood pressure: readings on HomeBPMinDays days of the seven and
// HomeBPMinReadings readings in all. The ESH recommends measuring on at
// least three days, preferably seven, in the morning and the evening, two
// readings each time, and at least twelve readings in all.
const (
	HomeBPMinDays     = 3
	HomeBPMinReadings = 12
)

// BPReading is one blood pressure reading in mmHg and the time it was
// taken.
type BPReading struct {
	Time                time.Time
	Systolic, Diastolic float64
}

// BPMean is the mean of some readings.
type BPMean struct {
	Systolic, Diastolic float64 // mmHg; zero when Count is zero
	Count               int     // the readings the mean rests on
	// ReachesThreshold is set when the mean, rounded to whole mmHg, is at
	// or above the threshold in systolic or diastolic.
	ReachesThreshold bool
}

// HomeBPSummary is the mean home blood pressure of the last seven days,
// overall and in the morning and evening windows.
type HomeBPSummary struct {
	Period  Period // local midnight six days before today to local midnight after it
	All     BPMean
	Morning BPMean
	Evening BPMean
	// Days counts the calendar days with at least one reading, and
	// Sufficient says whether the summary rests on enough readings on
	// enough days (HomeBPMinDays, HomeBPMinReadings).
	Days       int
	Sufficient bool
}

// SummarizeHomeBP summarises the home readings of the seven calendar days
// that end with the day of now in loc (the patient's time zone; nil means
// UTC), classifying each mean against threshold, usually HomeThreshold.
// Readings whose values are not finite numbers are left out.
func SummarizeHomeBP(readings []BPReading, now time.Time, loc *time.Location, threshold Threshold) HomeBPSummary {
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := now.In(loc).Date()
	period := Period{
		From: time.Date(y, m, d-(HomeBPDays-1), 0, 0, 0, 0, loc),
		To:   time.Date(y, m, d+1, 0, 0, 0, 0, loc),
	}

	var all, morning, evening []BPReading
	days := map[time.Time]bool{}
	for _, r := range readings {
		if !period.Contains(r.Time) || !isFinite(r.Systolic) || !isFinite(r.Diastolic) {
			continue
		}
		all = append(all, r)
		y, m, d := r.Time.In(loc).Date()
		days[time.Date(y, m, d, 0, 0, 0, 0, time.UTC)] = true
		switch hour := r.Time.In(loc).Hour(); {
		case hour >= MorningFrom && hour < MorningTo:
			morning = append(morning, r)
		case hour >= EveningFrom && hour < EveningTo:
			evening = append(evening, r)
		}
	}
	return HomeBPSummary{
		Period:     period,
		All:        bpMean(all, threshold),
		Morning:    bpMean(morning, threshold),
		Evening:    bpMean(evening, threshold),
		Days:       len(days),
		Sufficient: len(days) >= HomeBPMinDays && len(all) >= HomeBPMinReadings,
	}
}

func bpMean(readings []BPReading, threshold Threshold) BPMean {
	if len(readings) == 0 {
		return BPMean{}
	}
	var systolic, diastolic []float64
	for _, r := range readings {
		systolic = append(systolic, r.Systolic)
		diastolic = append(diastolic, r.Diastolic)
	}
	m := BPMean{Systolic: mean(systolic), Diastolic: mean(diastolic), Count: len(readings)}
	m.ReachesThreshold = threshold.Reached(m.Systolic, m.Diastolic)
	return m
}
