package simulate

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Tally counts what became of the readings of one phase of a run.
type Tally struct {
	Sent      int64            // readings a door took (acknowledged by its transport)
	Stored    int64            // stored by Tend
	Duplicate int64            // answered as sent before
	Refused   map[string]int64 // refused by Tend, by reason
	Errors    int64            // readings not delivered: the door failed after retries
	ByDoor    map[Door]int64   // readings sent, by door

	OutOfRange int64 // injected implausible readings
	Resent     int64 // readings sent again on purpose (injected duplicates)
	Withheld   int64 // measurements a gap kept silent
	Unanswered int64 // sent, but no answer came back (MQTT results)

	Elapsed time.Duration
}

// RefusedTotal is the number of readings refused, for any reason.
func (t Tally) RefusedTotal() int64 {
	var n int64
	for _, c := range t.Refused {
		n += c
	}
	return n
}

// Rate is the readings sent per second.
func (t Tally) Rate() float64 {
	if t.Elapsed <= 0 {
		return 0
	}
	return float64(t.Sent) / t.Elapsed.Seconds()
}

// counter is a Tally that several senders add to at once.
type counter struct {
	mu    sync.Mutex
	t     Tally
	start time.Time
}

func newCounter(start time.Time) *counter {
	return &counter{t: Tally{Refused: map[string]int64{}, ByDoor: map[Door]int64{}}, start: start}
}

func (c *counter) add(f func(t *Tally)) {
	c.mu.Lock()
	f(&c.t)
	c.mu.Unlock()
}

func (c *counter) sent(door Door, n int) {
	c.add(func(t *Tally) { t.Sent += int64(n); t.ByDoor[door] += int64(n) })
}

func (c *counter) stored(n int)    { c.add(func(t *Tally) { t.Stored += int64(n) }) }
func (c *counter) duplicate(n int) { c.add(func(t *Tally) { t.Duplicate += int64(n) }) }
func (c *counter) errors(n int)    { c.add(func(t *Tally) { t.Errors += int64(n) }) }

func (c *counter) refused(reason string, n int) {
	if reason == "" {
		reason = "unknown"
	}
	c.add(func(t *Tally) { t.Refused[reason] += int64(n) })
}

// outcome counts one reading's answer as the ingest path words it.
func (c *counter) outcome(outcome, reason string) {
	switch outcome {
	case "stored":
		c.stored(1)
	case "duplicate":
		c.duplicate(1)
	default:
		c.refused(reason, 1)
	}
}

// snapshot returns a copy of the tally, with the time elapsed until now.
func (c *counter) snapshot(now time.Time) Tally {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.t
	t.Refused = maps.Clone(c.t.Refused)
	t.ByDoor = maps.Clone(c.t.ByDoor)
	t.Elapsed = now.Sub(c.start)
	return t
}

// line says the tally in one line, for the periodic report.
func (t Tally) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sent %d (%.0f/s), stored %d, duplicate %d, refused %d", t.Sent, t.Rate(), t.Stored, t.Duplicate, t.RefusedTotal())
	if len(t.Refused) > 0 {
		b.WriteString(" (" + reasons(t.Refused) + ")")
	}
	fmt.Fprintf(&b, ", errors %d", t.Errors)
	return b.String()
}

func reasons(m map[string]int64) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// write prints the tally as a block of the summary.
func (t Tally) write(w io.Writer, title string) {
	fmt.Fprintf(w, "%s, in %s:\n", title, t.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "  sent       %d readings (%.1f/s)", t.Sent, t.Rate())
	if len(t.ByDoor) > 0 {
		doors := slices.Sorted(maps.Keys(t.ByDoor))
		parts := make([]string, len(doors))
		for i, d := range doors {
			parts[i] = fmt.Sprintf("%s %d", d, t.ByDoor[d])
		}
		fmt.Fprintf(w, ": %s", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  stored     %d\n", t.Stored)
	fmt.Fprintf(w, "  duplicate  %d\n", t.Duplicate)
	fmt.Fprintf(w, "  refused    %d", t.RefusedTotal())
	if len(t.Refused) > 0 {
		fmt.Fprintf(w, ": %s", reasons(t.Refused))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  errors     %d\n", t.Errors)
	if t.Unanswered > 0 {
		fmt.Fprintf(w, "  unanswered %d (the MQTT broker took them, but no answer came on the results topics: is it Tend's MQTT door?)\n", t.Unanswered)
	}
	fmt.Fprintf(w, "  injected   %d out of range, %d sent twice, %d measurements withheld by gaps\n", t.OutOfRange, t.Resent, t.Withheld)
}
