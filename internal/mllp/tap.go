package mllp

import (
	"bytes"
	"io"

	"github.com/tend-health/tend/internal/hl7"
)

// maxHead is how much of a frame's first segment the tap keeps: enough for
// any MSH segment a monitor sends.
const maxHead = 2048

// heads is how many recent frame starts the tap remembers. The hl7 reader
// reads ahead by at most its buffer (4 KiB), so a frame in trouble is
// always among the last few starts.
const heads = 8

// headTap sits between the connection and the hl7 reader and keeps the
// first segment (the MSH) of each recent frame, with the stream offset of
// its start block. When the reader gives up on a frame (too large, cut
// short, badly ended) it has not kept the bytes, but the tap has, so the
// door can still read the header and answer the sender with AE.
type headTap struct {
	r   io.Reader
	off int64 // stream offset of the next byte read
	// ring of recent frame heads; next is where the next one goes.
	ring [heads]frameHead
	next int
	n    int
}

type frameHead struct {
	start int64  // offset of the start block
	b     []byte // first segment, without the start block
	done  bool   // a segment end or framing byte was seen, or maxHead reached
}

func (t *headTap) Read(p []byte) (int, error) {
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
	if t.n == 0 {
		return nil
	}
	return &t.ring[(t.next+heads-1)%heads]
}

func (t *headTap) push(start int64) {
	h := &t.ring[t.next]
	h.start, h.b, h.done = start, h.b[:0], false
	t.next = (t.next + 1) % heads
	if t.n < heads {
		t.n++
	}
}

// headBefore returns the first segment of the latest frame that started at
// or before offset limit.
func (t *headTap) headBefore(limit int64) ([]byte, bool) {
	var best *frameHead
	for i := range t.n {
		h := &t.ring[i]
		if h.start <= limit && (best == nil || h.start > best.start) {
			best = h
		}
	}
	if best == nil {
		return nil, false
	}
	return bytes.Clone(best.b), true
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
