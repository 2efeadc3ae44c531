package mllp

import (
	"bytes"
	"io"

	"github.com/tend-health/tend/internal/hl7"
)

// maxHead is how much of a frame's first segment the tap keeps: enough for
// any MSH segment a monitor sends.
const maxHead = 2048

// readCap is the most the tap hands the hl7 reader in one read. The
// reader's buffer refills with one read at a time, so it is also the most
// the reader can have read ahead of the frame it is working on.
const readCap = 512

// window is how far behind the newest byte read the tap remembers frame
// starts (and, beyond it, the latest start before it): enough to cover the
// reader's read-ahead, with room to spare.
const window = 2 * readCap

// headTap sits between the connection and the hl7 reader and keeps the
// first segment (the MSH) of each recent frame, with the stream offset of
// its start block. When the reader gives up on a frame (too large, cut
// short, badly ended) it has not kept the bytes, but the tap has, so the
// door can still read the header and answer the sender with AE.
//
// The frame in trouble is either among the starts seen in the last window
// bytes or the latest start before them (no start block lies inside a
// frame), so that is all the tap keeps: its memory is bounded by the window
// and maxHead, however many tiny frames arrive.
type headTap struct {
	r     io.Reader
	off   int64       // stream offset of the next byte read
	heads []frameHead // in stream order
}

type frameHead struct {
	start int64  // offset of the start block
	b     []byte // first segment, without the start block
	done  bool   // a segment end or framing byte was seen, or maxHead reached
}

func (t *headTap) Read(p []byte) (int, error) {
	if len(p) > readCap {
		p = p[:readCap]
	}
	n, err := t.r.Read(p)
	t.see(p[:n])
	return n, err
}

// see follows the bytes just read.
func (t *headTap) see(buf []byte) {
	for len(buf) > 0 {
		if h := t.current(); h != nil && !h.done {
			k := bytes.IndexAny(buf, "\x0b\x1c\r\n")
			take := buf
			if k >= 0 {
				take = buf[:k]
				h.done = true
			}
			if room := maxHead - len(h.b); len(take) >= room {
				take = take[:room]
				h.done = true
			}
			h.b = append(h.b, take...)
			buf = buf[len(take):]
			t.off += int64(len(take))
			continue
		}
		k := bytes.IndexByte(buf, hl7.StartBlock)
		if k < 0 {
			t.off += int64(len(buf))
			return
		}
		t.off += int64(k)
		t.push(t.off)
		t.off++
		buf = buf[k+1:]
	}
}

func (t *headTap) current() *frameHead {
	if len(t.heads) == 0 {
		return nil
	}
	return &t.heads[len(t.heads)-1]
}

func (t *headTap) push(start int64) {
	drop := 0
	for drop+1 < len(t.heads) && t.heads[drop+1].start < start-window {
		drop++
	}
	if drop > 0 {
		t.heads = append(t.heads[:0], t.heads[drop:]...)
	}
	t.heads = append(t.heads, frameHead{start: start})
}

// headBefore returns the first segment of the latest frame that started at
// or before offset limit.
func (t *headTap) headBefore(limit int64) ([]byte, bool) {
	for i := len(t.heads) - 1; i >= 0; i-- {
		if h := &t.heads[i]; h.start <= limit {
			return bytes.Clone(h.b), true
		}
	}
	return nil, false
}

// frameStart returns where the frame a framing error is about began, as an
// upper bound for headBefore.
func frameStart(fe *hl7.FrameError) int64 {
	if fe.Err == hl7.ErrFrameTooLarge {
		// Offset is the byte past the limit; N counts the message bytes
		// up to and including it.
		return fe.Offset - int64(fe.N)
	}
	// Cut short or badly ended: Offset is at most two bytes past the N
	// message bytes; no start block lies between.
	return fe.Offset - int64(fe.N) - 1
}
