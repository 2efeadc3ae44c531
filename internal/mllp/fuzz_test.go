package mllp

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/hl7"
)

var sampleORU = "MSH|^~\\&|GW^0123456789ABCDEF^EUI-64||EHR||20261122103000+0000||ORU^R01^ORU_R01|MSG00001|P|2.6\r" +
	"PID|||12345^^^HOSP^PI||DOE^JOHN^^^^^L\r" +
	"OBR|1|||182777000^monitoring of patient^SCT|||20261122103000+0000\r" +
	"OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X|||||||0123456789ABCDEF^EUI-64\r" +
	"OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R|||20261122103000+0000\r" +
	"OBX|3|NM|150021^MDC_PRESS_BLD_NONINV_SYS^MDC|1.2.1.1|128|266016^MDC_DIM_MMHG^MDC|||||R|||20261122103000+0000\r" +
	"OBX|4|NM|150022^MDC_PRESS_BLD_NONINV_DIA^MDC|1.2.1.2|82|266016^MDC_DIM_MMHG^MDC||H|||F\r"

// naiveHeads is what the tap should remember, worked out byte by byte:
// for each start block, its offset and the first segment after it.
func naiveHeads(data []byte) map[int64][]byte {
	out := map[int64][]byte{}
	for i, c := range data {
		if c != hl7.StartBlock {
			continue
		}
		var h []byte
		for _, d := range data[i+1:] {
			if d == 0x0b || d == 0x1c || d == '\r' || d == '\n' || len(h) == maxHead {
				break
			}
			h = append(h, d)
		}
		out[int64(i)] = h
	}
	return out
}

// chunked reads data in pieces of the sizes the fuzzer chose.
type chunked struct {
	data  []byte
	sizes []byte
	n     int
}

func (c *chunked) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	size := len(c.data)
	if len(c.sizes) > 0 {
		size = int(c.sizes[c.n%len(c.sizes)]) + 1
		c.n++
	}
	size = min(size, len(p), len(c.data))
	copy(p, c.data[:size])
	c.data = c.data[size:]
	return size, nil
}

// FuzzHeadTap checks the tap against a byte-by-byte reading of the same
// stream, however the stream is cut into reads, and checks that for every
// frame the hl7 reader gives up on, the tap still holds that frame's head.
func FuzzHeadTap(f *testing.F) {
	frame := "\x0b" + sampleORU + "\x1c\r"
	f.Add([]byte(frame+frame), []byte{3, 200, 17})
	f.Add([]byte("junk"+frame[:100]+frame), []byte{0})
	f.Add([]byte(frame[:len(frame)-1]+"X"+frame), []byte{255})
	f.Add([]byte("\x0b"+strings.Repeat("MSH|", 400)+"\x1c\r"+frame), []byte{1, 2, 3})
	f.Add([]byte("\x0b\x1c\r\x0b\x0b\x1c\x1c"), []byte{})
	f.Fuzz(fuzzHeadTapBody)
}

func fuzzHeadTapBody(t *testing.T, data, sizes []byte) {
	{
		if len(data) > 1<<13 {
			return
		}
		want := naiveHeads(data)
		starts := make([]int64, 0, len(want))
		for i, c := range data {
			if c == hl7.StartBlock {
				starts = append(starts, int64(i))
			}
		}
		tap := &headTap{r: &chunked{data: data, sizes: sizes}}
		r := hl7.NewReader(tap, 512)
		for calls := 0; ; calls++ {
			if calls > len(data)+2 {
				t.Fatalf("the reader makes no progress after %d calls", calls)
			}
			_, err := r.ReadMessage()
			var fe *hl7.FrameError
			if errors.As(err, &fe) {
				switch fe.Err {
				case hl7.ErrFrameTooLarge, hl7.ErrFrameInterrupted, hl7.ErrBadEndBlock:
					limit := frameStart(fe)
					var start int64 = -1
					if i, _ := slices.BinarySearch(starts, limit+1); i > 0 {
						start = starts[i-1]
					}
					head, ok := tap.headBefore(limit)
					if start < 0 || !ok {
						t.Fatalf("%v: no head for the frame (start %d, found %v)", fe, start, ok)
					}
					if !bytes.HasPrefix(want[start], head) {
						t.Fatalf("%v: head %q is not the start of %q", fe, head, want[start])
					}
				}
				continue
			}
			if err != nil {
				break
			}
		}
		if tap.off != int64(len(data)) {
			// The reader stops only at the end of the stream.
			t.Fatalf("tap counted %d bytes of %d", tap.off, len(data))
		}
		// Once everything is read, the remembered heads are exact, and
		// few.
		if len(tap.heads) > window+2 {
			t.Fatalf("%d heads remembered", len(tap.heads))
		}
		for _, h := range tap.heads {
			if w, ok := want[h.start]; !ok || !bytes.Equal(w, h.b) {
				t.Fatalf("head at %d: %q, want %q", h.start, h.b, w)
			}
		}
	}
}

// FuzzPlan checks that any message the hl7 package accepts as an ORU^R01
// becomes readings without a panic, each tied to rows that exist, with an
// external id that fits, and with blood pressure parts grouped.
func FuzzPlan(f *testing.F) {
	f.Add([]byte(sampleORU))
	f.Add([]byte(strings.ReplaceAll(sampleORU, "+0000", "")))
	f.Add([]byte(strings.ReplaceAll(sampleORU, "|0123456789ABCDEF^EUI-64\r", "\r")))
	f.Add([]byte(strings.ReplaceAll(sampleORU, "|R|", "|D|")))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := hl7.Parse(data)
		if err != nil {
			return
		}
		oru, err := hl7.ParseORU(m, time.UTC)
		if err != nil {
			return
		}
		var v verdict
		batches := plan(oru, &v)
		if v.fault != nil {
			t.Fatalf("plan reported a fault: %v", v.fault)
		}
		for _, p := range v.problems {
			if p.text == "" {
				t.Fatal("a problem without words")
			}
		}
		seen := map[string]bool{}
		for _, b := range batches {
			if len(b.eui) != 16 || len(b.items) == 0 {
				t.Fatalf("batch for %q with %d items", b.eui, len(b.items))
			}
			if b.row < 0 || b.row >= len(oru.Observations) {
				t.Fatalf("batch row %d of %d", b.row, len(oru.Observations))
			}
			for _, p := range b.items {
				if len(p.rows) == 0 || p.item.LOINC == "" || p.item.ExternalID == "" || len(p.item.ExternalID) > 256 {
					t.Fatalf("item %+v from rows %v", p.item, p.rows)
				}
				for _, r := range p.rows {
					if r < 0 || r >= len(oru.Observations) || seen[b.eui+"|"+string(rune(r))] {
						t.Fatalf("row %d used twice or missing", r)
					}
					seen[b.eui+"|"+string(rune(r))] = true
				}
				if p.item.LOINC == loincBPPanel {
					if len(p.item.Components) != len(p.rows) || p.item.Value != nil {
						t.Fatalf("blood pressure %+v from rows %v", p.item, p.rows)
					}
				} else if p.item.Value == nil || len(p.rows) != 1 {
					t.Fatalf("single value %+v from rows %v", p.item, p.rows)
				}
			}
		}
		// Built again, the plan is the same: ids do not depend on chance.
		var v2 verdict
		again := plan(oru, &v2)
		if len(again) != len(batches) {
			t.Fatal("plan is not deterministic")
		}
		for i := range again {
			for j := range again[i].items {
				if again[i].items[j].item.ExternalID != batches[i].items[j].item.ExternalID {
					t.Fatal("external ids differ between two plans of one message")
				}
			}
		}
	})
}
