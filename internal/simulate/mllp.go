package simulate

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tend-health/tend/internal/hl7"
	"github.com/tend-health/tend/internal/measure"
)

// mdcRow is how one reading (or component) is written in an OBX.
type mdcRow struct {
	code, refID, unit, unitRefID, path string
}

// obxRows returns the OBX rows of a reading: the MDC code, unit and
// containment path (<MDS>.<VMD>.<channel>.<metric>), per standards.md §3.
func obxRows(kind Kind, r Reading) ([]mdcRow, []float64, error) {
	switch r.Type {
	case measure.SpO2:
		return []mdcRow{{"150456", "MDC_PULS_OXIM_SAT_O2", "262688", "MDC_DIM_PERCENT", "1.1.1.1"}}, []float64{r.Value}, nil
	case measure.HeartRate:
		switch kind {
		case PulseOximeter:
			return []mdcRow{{"149530", "MDC_PULS_OXIM_PULS_RATE", "264864", "MDC_DIM_BEAT_PER_MIN", "1.1.1.2"}}, []float64{r.Value}, nil
		case BloodPressureMonitor:
			return []mdcRow{{"149546", "MDC_PULS_RATE_NON_INV", "264864", "MDC_DIM_BEAT_PER_MIN", "1.2.1.4"}}, []float64{r.Value}, nil
		}
		return []mdcRow{{"147842", "MDC_ECG_HEART_RATE", "264864", "MDC_DIM_BEAT_PER_MIN", "1.3.1.1"}}, []float64{r.Value}, nil
	case measure.BloodPressure:
		return []mdcRow{
				{"150021", "MDC_PRESS_BLD_NONINV_SYS", "266016", "MDC_DIM_MMHG", "1.2.1.1"},
				{"150022", "MDC_PRESS_BLD_NONINV_DIA", "266016", "MDC_DIM_MMHG", "1.2.1.2"},
				{"150023", "MDC_PRESS_BLD_NONINV_MEAN", "266016", "MDC_DIM_MMHG", "1.2.1.3"},
			}, []float64{r.Component(measure.Systolic), r.Component(measure.Diastolic), r.Component(measure.Mean)},
			nil
	case measure.RespiratoryRate:
		return []mdcRow{{"151562", "MDC_RESP_RATE", "264928", "MDC_DIM_RESP_PER_MIN", "1.4.1.1"}}, []float64{r.Value}, nil
	case measure.BodyTemperature:
		return []mdcRow{{"150364", "MDC_TEMP_BODY", "268192", "MDC_DIM_DEGC", "1.5.1.1"}}, []float64{r.Value}, nil
	case measure.BodyWeight:
		return []mdcRow{{"188736", "MDC_MASS_BODY_ACTUAL", "263875", "MDC_DIM_KILO_G", "1.6.1.1"}}, []float64{r.Value}, nil
	}
	return nil, nil, fmt.Errorf("HL7 PCD-01 has no MDC code in Tend for %s", r.Type)
}

// pcdProfile is MSH-21 of an IHE PCD-01 message.
const pcdProfile = "IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO"

// ControlID is the MSH-10 of a measurement's message: the same for the
// same measurement, so a resent message can be known for what it is.
func ControlID(m Measurement) string {
	return m.Device.Serial + "-" + m.slot()
}

// ORU writes a measurement as an HL7 v2.6 ORU^R01 message profiled by IHE
// PCD-01 (standards.md §3): the gateway and device by EUI-64, the patient
// by MRN in PID-3, one device row (OBX-11 X) carrying the EUI-64 in
// OBX-18, then one NM row per number with its MDC code and unit, status
// R and the time in OBX-14. Segments end with CR.
func ORU(m Measurement) ([]byte, error) {
	d, p := m.Device, m.Device.Patient
	dl := hl7.DefaultDelimiters()
	esc := func(s string) string { return hl7.Escape(s, dl) }
	ts := hl7.FormatTimestamp(m.TakenAt.In(p.loc).Truncate(time.Second))
	ctrl := esc(ControlID(m))
	gw := "SIMGW^" + d.EUI64 + "^EUI-64"
	given, family, _ := strings.Cut(p.Name, " ")
	var b strings.Builder
	seg := func(s string) { b.WriteString(s); b.WriteByte('\r') }
	seg("MSH|^~\\&|" + gw + "||TEND||" + ts + "||ORU^R01^ORU_R01|" + ctrl + "|P|2.6|||NE|AL||UNICODE UTF-8|||" + pcdProfile)
	seg("PID|||" + esc(p.MRN) + "^^^TEND^MR||" + esc(family) + "^" + esc(given) + "^^^^^L")
	seg("OBR|1|" + ctrl + "^" + gw + "|" + ctrl + "^" + gw + "|182777000^monitoring of patient^SCT|||" + ts)
	seg("OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X|||||||" + d.EUI64 + "^EUI-64")
	n := 1
	for _, r := range m.Readings {
		rows, vals, err := obxRows(d.Kind, r)
		if err != nil {
			return nil, err
		}
		for i, row := range rows {
			n++
			seg("OBX|" + strconv.Itoa(n) + "|NM|" + row.code + "^" + row.refID + "^MDC|" + row.path + "|" +
				strconv.FormatFloat(vals[i], 'f', -1, 64) + "|" + row.unit + "^" + row.unitRefID + "^MDC|||||R|||" + ts)
		}
	}
	return []byte(b.String()), nil
}

// Ack is what an HL7 acknowledgement said.
type Ack struct {
	Code      string     // MSA-1: AA, AE, AR (or CA, CE, CR)
	ControlID string     // MSA-2: the control id acknowledged
	Errors    []AckError // one per ERR segment
}

// AckError is one ERR segment: where the problem is and what it is.
type AckError struct {
	Segment string // ERR-2.1, such as "OBX" or "PID"; empty when not said
	Text    string // ERR-8, or else ERR-3's text
}

// ParseAck reads an acknowledgement.
func ParseAck(msg []byte) (Ack, error) {
	m, err := hl7.Parse(msg)
	if err != nil {
		return Ack{}, err
	}
	msa := m.First("MSA")
	if msa == nil {
		return Ack{}, errors.New("the acknowledgement has no MSA segment")
	}
	a := Ack{Code: msa.Field(1), ControlID: msa.Field(2)}
	for _, e := range m.Segments("ERR") {
		ae := AckError{Segment: e.Component(2, 1), Text: e.Field(8)}
		if ae.Text == "" {
			ae.Text = e.Component(3, 2)
		}
		a.Errors = append(a.Errors, ae)
	}
	return a, nil
}

// count tallies the n readings of a message from its acknowledgement, as
// Tend's HL7 door answers (internal/mllp): AA, every reading stored (or
// stored before); AE, one ERR per refused reading and the others stored,
// except that a problem with the patient or the device as a whole (said
// once) refuses every reading; AR, nothing stored.
func (a Ack) count(n int, c *counter) {
	switch a.Code {
	case "AA", "CA":
		c.stored(n)
		return
	case "AR", "CR":
		reason := "hl7_ar"
		if len(a.Errors) > 0 {
			reason = reasonIn(a.Errors[0].Text, reason)
		}
		c.refused(reason, n)
		return
	}
	refused := 0
	for _, e := range a.Errors {
		reason := reasonIn(e.Text, "hl7_"+strings.ToLower(a.Code))
		whole := e.Segment != "OBX" || reason == "disabled" || reason == "unassigned" || reason == "patient_mismatch"
		if whole {
			c.refused(reason, n-refused)
			return
		}
		if refused < n {
			c.refused(reason, 1)
			refused++
		}
	}
	if refused == 0 {
		c.refused("hl7_"+strings.ToLower(a.Code), n)
		return
	}
	c.stored(n - refused)
}

// mllpSender sends each measurement as one ORU^R01 over a TCP connection
// per device, as a monitor does, and reads the acknowledgement before the
// next message.
type mllpSender struct {
	addr    string
	timeout time.Duration

	mu    sync.Mutex
	conns map[*Device]*mllpConn
}

type mllpConn struct {
	mu   sync.Mutex
	conn net.Conn
	r    *hl7.Reader
}

func (s *mllpSender) connFor(d *Device) *mllpConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns == nil {
		s.conns = map[*Device]*mllpConn{}
	}
	c := s.conns[d]
	if c == nil {
		c = &mllpConn{}
		s.conns[d] = c
	}
	return c
}

func (s *mllpSender) send(ctx context.Context, d *Device, ms []Measurement, c *counter) error {
	mc := s.connFor(d)
	mc.mu.Lock()
	defer mc.mu.Unlock()
	var firstErr error
	for _, m := range ms {
		err := s.exchange(ctx, mc, m, c)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return firstErr
}

// exchange sends one message and reads its acknowledgement, reconnecting
// and sending the same message again after a broken connection.
func (s *mllpSender) exchange(ctx context.Context, mc *mllpConn, m Measurement, c *counter) error {
	n := len(m.Readings)
	msg, err := ORU(m)
	if err != nil {
		c.errors(n)
		return err
	}
	frame, err := hl7.Frame(msg)
	if err != nil {
		c.errors(n)
		return err
	}
	var lastErr error
	for attempt := range 4 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				c.errors(n)
				return ctx.Err()
			case <-time.After(time.Duration(attempt) * 250 * time.Millisecond):
			}
		}
		if mc.conn == nil {
			var dl net.Dialer
			conn, err := dl.DialContext(ctx, "tcp", s.addr)
			if err != nil {
				lastErr = fmt.Errorf("connecting to the MLLP door at %s: %w", s.addr, err)
				continue
			}
			mc.conn, mc.r = conn, hl7.NewReader(conn, 0)
		}
		ack, err := s.roundTrip(mc, frame)
		if err != nil {
			mc.conn.Close()
			mc.conn, mc.r = nil, nil
			lastErr = err
			continue
		}
		if (ack.Code == "AR" || ack.Code == "CR") && attempt < 3 {
			// Rejected: a fault of the receiver's own, which the sender
			// is to try again later with the same message.
			lastErr = fmt.Errorf("the MLLP door answered %s", ack.Code)
			continue
		}
		c.sent(DoorMLLP, n)
		ack.count(n, c)
		return nil
	}
	c.errors(n)
	return lastErr
}

func (s *mllpSender) roundTrip(mc *mllpConn, frame []byte) (Ack, error) {
	mc.conn.SetDeadline(time.Now().Add(s.timeout))
	if _, err := mc.conn.Write(frame); err != nil {
		return Ack{}, err
	}
	for {
		msg, err := mc.r.ReadMessage()
		var fe *hl7.FrameError
		if errors.As(err, &fe) {
			continue // junk between frames: read on
		}
		if err != nil {
			return Ack{}, fmt.Errorf("reading the acknowledgement: %w", err)
		}
		return ParseAck(msg)
	}
}

func (s *mllpSender) close(*counter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.mu.Lock()
		if c.conn != nil {
			c.conn.Close()
			c.conn = nil
		}
		c.mu.Unlock()
	}
}
