package mllp_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/mllp"
)

// Messages that are wrong are each answered with AE or AR and an ERR
// segment that says where and what; the connection carries on.
func TestBadMessages(t *testing.T) {
	cases := []struct {
		name   string
		msg    string
		code   string   // MSA-1
		want   []string // in the acknowledgement
		stored int      // readings stored from the message
	}{
		{"not an ORU", "MSH|^~\\&|GW||EHR||20261122103000||ADT^A01^ADT_A01|MSGADT|P|2.6\rPID|||12345\r",
			"AR", []string{"200^Unsupported message type", "ADT", "MSH^1^9"}, 0},
		{"unsupported version", message("|P|2.6|", "|P|3.0|"), "AR", []string{"203^Unsupported version id"}, 0},
		{"training message", message("|P|2.6|", "|T|2.6|"), "AR", []string{"202^Unsupported processing id", "only production"}, 0},
		{"unknown patient MRN", message("12345^^^HOSP", "99999^^^HOSP"),
			"AE", []string{"204^Unknown key identifier", "PID^1^3", "no patient in Tend has the medical record number"}, 0},
		{"no PID segment", message("PID|||12345^^^HOSP^PI||DOE^JOHN^^^^^L\r", ""),
			"AE", []string{"101^Required field missing", "PID-3"}, 0},
		{"two PID segments", message("PV1|", "PID|||67890\rPV1|"), "AE", []string{"second PID segment"}, 0},
		{"unknown EUI-64", message(euiMonitor, euiUnknown),
			"AE", []string{"204^Unknown key identifier", "OBX^1^18", "no device in Tend has the EUI-64 " + euiUnknown}, 0},
		{"no EUI-64 anywhere", message("GW^0123456789ABCDEF^EUI-64|", "GW|", "|||||||0123456789ABCDEF^EUI-64", ""),
			"AE", []string{"101^Required field missing", "OBX^2^18", "no device EUI-64"}, 0},
		{"malformed EUI-64", message("|||||||0123456789ABCDEF^EUI-64", "|||||||0123^EUI-64"), "AE", []string{"OBX-18"}, 0},
		{"implausible value", message("|97|262688", "|150|262688"),
			"AE", []string{"102^Data type error", "OBX^2^5", "OBX with set id 2, field 5", "2 other observations of this message were stored"}, 2},
		{"unmapped MDC code", message("150456^MDC_PULS_OXIM_SAT_O2", "999999^MDC_MADE_UP"),
			"AE", []string{"103^Table value not found", "OBX^2^3", "not in Tend's mapping table"}, 2},
		{"mislabelled MDC code", message("150456^MDC_PULS_OXIM_SAT_O2", "150456^MDC_PRESS_BLD_NONINV_SYS"),
			"AE", []string{"103^Table value not found", "OBX^2^3"}, 2},
		{"unit that does not fit the code", message("|97|262688^MDC_DIM_PERCENT", "|97|266016^MDC_DIM_MMHG"),
			"AE", []string{"103^Table value not found", "OBX^2^6", "does not fit"}, 2},
		{"unit missing", message("|97|262688^MDC_DIM_PERCENT^MDC|", "|97||"), "AE", []string{"101^Required field missing", "OBX^2^6"}, 2},
		{"number that is not a number", message("|72|264864", "|seventy|264864"), "AE", []string{"102^Data type error", "OBX-5"}, 0},
		{"blood pressure without diastolic", message("OBX|5|NM|150022^MDC_PRESS_BLD_NONINV_DIA^MDC|1.2.1.2|82|266016^MDC_DIM_MMHG^MDC|||||R|||20261122103000+0000\r", ""),
			"AE", []string{"101^Required field missing", "OBX^4^3"}, 2},
		{"result status D on a number", message("|72|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R", "|72|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||D"),
			"AE", []string{"OBX^3^11", "result status"}, 2},
		{"observation time in the future", message("|72|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||20261122103000+0000", "|72|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||20271122103000+0000"),
			"AE", []string{"OBX^3^14"}, 2},
		{"bad timestamp", message("|R|||20261122103000+0000\rOBX|3", "|R|||2026-11-22\rOBX|3"), "AE", []string{"OBX-14"}, 0},
		{"lower-case segment name", message("PV1|", "pv1|"), "AE", []string{"segment"}, 0},
		{"bad escape sequence", message("DOE^JOHN", "DOE\\Zxx\\^JOHN"), "AE", []string{"escape"}, 0},
		{"OBX before any OBR", message("PV1||I|ICU^^BED1\r", "PV1||I|ICU^^BED1\rOBX|9|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R\r"),
			"AE", []string{"100^Segment sequence error"}, 0},
		{"disabled device", message(euiMonitor, euiDisabled), "AE", []string{"204^Unknown key identifier", "disabled"}, 0},
		{"device assigned to nobody", message(euiMonitor, euiLoose), "AE", []string{"not assigned to a patient"}, 0},
		{"another patient's device", message(euiMonitor, euiOther), "AE", []string{"assigned to another patient"}, 0},
		{"MRN of another patient", message("12345^^^HOSP", "67890^^^HOSP"), "AE", []string{"assigned to another patient"}, 0},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		door := w.start(t, mllp.Config{}, nil)
		c := dial(t, door.Addr())
		total := 0
		for i, tc := range cases {
			// Each case is a new message, so that the readings it may
			// store are new, not duplicates of the last case's.
			msg := strings.ReplaceAll(tc.msg, "MSG00001", "BAD"+string(rune('A'+i)))
			msg = strings.ReplaceAll(msg, "20261122103000", "202611221030"+twoDigits(i))
			a := c.send(t, msg)
			t.Logf("%s: %s", tc.name, strings.ReplaceAll(a.text, "\r", "\n    "))
			if a.code != tc.code {
				t.Errorf("%s: MSA-1 %s, want %s\n%q", tc.name, a.code, tc.code, a.text)
				continue
			}
			if len(a.errs) == 0 {
				t.Errorf("%s: no ERR segment", tc.name)
			}
			for _, s := range tc.want {
				if !a.has(s) {
					t.Errorf("%s: acknowledgement lacks %q:\n%q", tc.name, s, a.text)
				}
			}
			total += tc.stored
			if n := len(w.list(t)); n != total {
				t.Errorf("%s: %d readings stored in all, want %d", tc.name, n, total)
				total = n
			}
		}
		// The connection still works.
		if a := c.send(t, message()); a.code != "AA" {
			t.Errorf("after the bad messages: %q", a.text)
		}
	})
}

func twoDigits(i int) string { return string([]byte{byte('0' + i/10%10), byte('0' + i%10)}) }

// Framing trouble: answered when the header can be read, else the
// connection is closed; the listener keeps serving either way.
func TestBadFrames(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		door := w.start(t, mllp.Config{MaxMessageSize: 4096, ReadTimeout: 500 * time.Millisecond, MaxConnections: 8}, nil)
		addr := door.Addr()
		sample := message()

		t.Run("junk before a frame", func(t *testing.T) {
			c := dial(t, addr)
			c.raw(t, "GET / HTTP/1.0\r\n\r\n")
			if a := c.send(t, sample); a.code != "AA" {
				t.Errorf("frame after junk: %q", a.text)
			}
		})
		t.Run("oversized frame", func(t *testing.T) {
			c := dial(t, addr)
			big := message("MSG00001", "BIG1") + "NTE|1||" + strings.Repeat("x", 5000) + "\r"
			a := c.send(t, big)
			if a.code != "AE" || a.control != "BIG1" || !a.has("4096-byte limit") {
				t.Errorf("oversized: %q", a.text)
			}
			// The rest of the big frame is skipped; the next message is
			// answered on the same connection.
			if a := c.send(t, message("MSG00001", "AFTERBIG")); a.code != "AA" || a.control != "AFTERBIG" {
				t.Errorf("after the oversized frame: %q", a.text)
			}
		})
		t.Run("oversized frame without a header", func(t *testing.T) {
			c := dial(t, addr)
			c.raw(t, "\x0b"+strings.Repeat("x", 5000)+"\x1c\r")
			if !c.closed(5 * time.Second) {
				t.Error("connection left open")
			}
		})
		t.Run("frame cut short by a new one", func(t *testing.T) {
			c := dial(t, addr)
			c.raw(t, "\x0b"+message("MSG00001", "CUT1")[:200])
			a := c.send(t, message("MSG00001", "CUT2"))
			if a.code != "AE" || a.control != "CUT1" || !a.has("cut short") {
				t.Errorf("first answer: %q", a.text)
			}
			if a := c.read(t); a.code != "AA" || a.control != "CUT2" {
				t.Errorf("second answer: %q", a.text)
			}
		})
		t.Run("bad end block", func(t *testing.T) {
			c := dial(t, addr)
			c.raw(t, "\x0b"+message("MSG00001", "END1")+"\x1cX")
			if a := c.read(t); a.code != "AE" || a.control != "END1" || !a.has("0x1C 0x0D") {
				t.Errorf("bad end block: %q", a.text)
			}
		})
		t.Run("frame that is not HL7", func(t *testing.T) {
			c := dial(t, addr)
			c.raw(t, "\x0bhello, is this the hospital?\x1c\r")
			if !c.closed(5 * time.Second) {
				t.Error("connection left open")
			}
		})
		t.Run("empty frame", func(t *testing.T) {
			c := dial(t, addr)
			c.raw(t, "\x0b\x1c\r")
			if !c.closed(5 * time.Second) {
				t.Error("connection left open")
			}
		})
		t.Run("half a frame, then gone", func(t *testing.T) {
			c := dial(t, addr)
			c.raw(t, "\x0b"+message("MSG00001", "HALF")[:150])
			c.conn.Close()
		})
		t.Run("silence", func(t *testing.T) {
			c := dial(t, addr)
			start := time.Now()
			if !c.closed(5 * time.Second) {
				t.Fatal("silent connection left open")
			}
			if time.Since(start) < 400*time.Millisecond {
				t.Error("closed before the read timeout")
			}
		})
		t.Run("too many connections", func(t *testing.T) {
			var cs []*hl7Client
			for range 8 {
				cs = append(cs, dial(t, addr))
			}
			time.Sleep(100 * time.Millisecond)
			extra := dial(t, addr)
			if !extra.closed(2 * time.Second) {
				t.Error("connection beyond the cap left open")
			}
			for _, c := range cs {
				c.conn.Close()
			}
		})
		// The listener still serves, and nothing of the broken frames was
		// stored: only the sample's three readings under the three control
		// ids that arrived whole (MSG00001 twice, AFTERBIG, CUT2) are.
		time.Sleep(100 * time.Millisecond)
		c := dial(t, addr)
		if a := c.send(t, sample); a.code != "AA" {
			t.Errorf("after the bad frames: %q", a.text)
		}
		if n := len(w.list(t)); n != 9 {
			t.Errorf("%d readings stored, want 9", n)
		}
	})
}
