package hl7_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tend-health/tend/internal/hl7"
)

// Example shows what an MLLP listener does with one connection: read each
// frame, parse it, take out the observations, and acknowledge.
func Example() {
	msg := "MSH|^~\\&|GW^0123456789ABCDEF^EUI-64||EHR||20261122103000+0000||ORU^R01^ORU_R01|MSG00001|P|2.6\r" +
		"PID|||12345^^^HOSP^PI\r" +
		"OBR|1|||182777000^monitoring of patient^SCT|||20261122103000+0000\r" +
		"OBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R\r"
	conn := strings.NewReader("\x0b" + msg + "\x1c\r" + "stray bytes" + "\x0bMSH|^~\\&|GW||EHR||20261122103000||ADT^A01|MSG00002|P|2.6\r\x1c\r")
	var replies bytes.Buffer
	now := time.Date(2026, 11, 22, 10, 30, 1, 0, time.UTC)

	r := hl7.NewReader(conn, hl7.DefaultMaxMessageSize)
	for n := 1; ; n++ {
		data, err := r.ReadMessage()
		var fe *hl7.FrameError
		if errors.As(err, &fe) {
			fmt.Println("framing:", err) // log it and read on
			continue
		}
		if err != nil {
			break // io.EOF, or the connection failed
		}
		m, err := hl7.Parse(data)
		if err != nil {
			m, _ = hl7.ParseHeader(data) // may be nil; the ACK copes
		} else {
			var oru *hl7.ORU
			oru, err = hl7.ParseORU(m, time.UTC)
			if err == nil {
				for _, o := range oru.Observations {
					mp, merr := hl7.MapObservation(o)
					fmt.Println(oru.SendingEUI64, o.Value, o.Unit.Text, mp.Measure.LOINC, mp.UCUM, merr)
				}
			}
		}
		ack, _ := hl7.ACKFor(m, err, fmt.Sprintf("ACK%05d", n), now)
		_ = hl7.WriteFrame(&replies, ack)
		fmt.Printf("%q\n", strings.Split(string(ack), "\r")[1])
	}
	// Output:
	// 0123456789ABCDEF 97 MDC_DIM_PERCENT 2708-6 % <nil>
	// "MSA|AA|MSG00001"
	// framing: mllp: at byte 281: 11 bytes outside a frame discarded: want start block 0x0B
	// "MSA|AR|MSG00002"
}
