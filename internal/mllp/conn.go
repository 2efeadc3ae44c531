package mllp

import (
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/tend-health/tend/internal/hl7"
)

// serve reads messages from one connection and answers each, until the
// sender closes it, falls silent for too long, or sends something that
// cannot be answered.
func (d *Door) serve(conn net.Conn) {
	remote := conn.RemoteAddr().String()
	if host, _, err := net.SplitHostPort(remote); err == nil {
		remote = host
	}
	tap := &headTap{r: conn}
	r := hl7.NewReader(tap, d.cfg.MaxMessageSize)
	for {
		// Network deadlines follow the wall clock, whatever Tend's clock.
		_ = conn.SetReadDeadline(time.Now().Add(d.cfg.ReadTimeout))
		data, err := r.ReadMessage()
		if err != nil {
			var fe *hl7.FrameError
			if !errors.As(err, &fe) {
				var ne net.Error
				switch {
				case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
				case errors.As(err, &ne) && ne.Timeout():
					d.log.Info("connection silent too long; closing it", "remote", remote, "timeout", d.cfg.ReadTimeout)
				default:
					d.log.Debug("connection ended", "remote", remote, "err", err)
				}
				return
			}
			ack, keep := d.frameTrouble(fe, tap, remote)
			if ack != nil && !d.write(conn, ack, remote) {
				return
			}
			if !keep {
				return
			}
			continue
		}
		ack, ok := d.message(data, remote)
		if !ok || !d.write(conn, ack, remote) {
			return
		}
	}
}

// frameTrouble decides what to do about a framing error: the
// acknowledgement to send, if any, and whether to carry on reading.
func (d *Door) frameTrouble(fe *hl7.FrameError, tap *headTap, remote string) ([]byte, bool) {
	switch {
	case errors.Is(fe, hl7.ErrNoStartBlock):
		// Noise before a frame: skip it; the frame after it is answered.
		d.log.Warn("bytes outside a frame skipped", "remote", remote, "bytes", fe.N)
		return nil, true
	case errors.Is(fe, io.ErrUnexpectedEOF):
		d.log.Warn("connection closed in the middle of a frame; nothing stored", "remote", remote, "bytes", fe.N)
		return nil, false
	case errors.Is(fe, hl7.ErrEmptyFrame):
		d.log.Warn("empty frame: nothing to answer; closing the connection", "remote", remote)
		return nil, false
	}
	var text string
	switch {
	case errors.Is(fe, hl7.ErrFrameTooLarge):
		text = fmt.Sprintf("message longer than the %d-byte limit: nothing stored; send the observations in smaller messages", fe.Max)
	case errors.Is(fe, hl7.ErrFrameInterrupted):
		text = "frame cut short by a new start block (0x0B) before its end block (0x1C 0x0D): nothing stored; send the message again whole"
	default: // ErrBadEndBlock
		text = "frame not ended by 0x1C 0x0D: nothing stored; end each message with the MLLP end block"
	}
	head, ok := tap.headBefore(frameStart(fe))
	var h *hl7.Message
	if ok {
		h, _ = hl7.ParseHeader(head)
	}
	if h == nil {
		d.log.Warn("malformed frame without a readable header; closing the connection", "remote", remote, "err", fe)
		return nil, false
	}
	d.log.Warn("malformed frame answered", "remote", remote, "control_id", logID(h.ControlID()), "err", fe)
	at := d.clock.Now()
	ack, err := hl7.BuildACK(h, hl7.ACKOptions{Code: hl7.AE, ControlID: d.ackID(at), Time: at,
		Error: hl7.CodeSegmentSequence, Text: text})
	if err != nil {
		return nil, false
	}
	return ack, true
}

// write sends one acknowledgement.
func (d *Door) write(conn net.Conn, ack []byte, remote string) bool {
	_ = conn.SetWriteDeadline(time.Now().Add(d.cfg.WriteTimeout))
	if err := hl7.WriteFrame(conn, ack); err != nil {
		d.log.Info("acknowledgement not sent", "remote", remote, "err", err)
		return false
	}
	return true
}
