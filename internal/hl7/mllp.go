package hl7

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MLLP framing bytes.
const (
	StartBlock     byte = 0x0B // vertical tab: starts a frame
	EndBlock       byte = 0x1C // file separator: ends a frame, followed by CR
	CarriageReturn byte = 0x0D
)

// DefaultMaxMessageSize is the largest message a Reader accepts unless told
// otherwise: 1 MiB, far above any PCD-01 message.
const DefaultMaxMessageSize = 1 << 20

// Kinds of framing trouble. A *FrameError wraps one of these (or
// io.ErrUnexpectedEOF); test with errors.Is.
var (
	// ErrNoStartBlock: bytes arrived where a frame should have started.
	ErrNoStartBlock = errors.New("no start block")
	// ErrFrameTooLarge: the message is longer than the Reader's limit.
	ErrFrameTooLarge = errors.New("message too large")
	// ErrBadEndBlock: 0x1C was not followed by 0x0D.
	ErrBadEndBlock = errors.New("bad end block")
	// ErrFrameInterrupted: a new start block arrived inside a frame, so the
	// earlier frame was cut short by its sender.
	ErrFrameInterrupted = errors.New("frame interrupted")
	// ErrEmptyFrame: a frame held no message bytes.
	ErrEmptyFrame = errors.New("empty frame")
	// ErrFramingByteInMessage: Frame was asked to wrap a message that
	// contains 0x0B or 0x1C, which would break the framing.
	ErrFramingByteInMessage = errors.New("message contains an MLLP framing byte")
)

// FrameError reports a framing problem found by a Reader. The Reader has
// already resynchronised when it returns one: the caller may log it and call
// ReadMessage again. The next call makes progress (or returns io.EOF), so a
// loop that continues on *FrameError and stops on any other error always
// ends.
type FrameError struct {
	Err    error // ErrNoStartBlock, ErrFrameTooLarge, ErrBadEndBlock, ErrFrameInterrupted, ErrEmptyFrame or io.ErrUnexpectedEOF
	Offset int64 // stream offset of the byte where the problem was noticed
	N      int   // bytes involved: skipped junk, or message bytes read so far
	Max    int   // the size limit, for ErrFrameTooLarge
}

// Error implements the error interface.
func (e *FrameError) Error() string {
	var what string
	switch e.Err {
	case ErrNoStartBlock:
		what = fmt.Sprintf("%d bytes outside a frame discarded: want start block 0x0B", e.N)
	case ErrFrameTooLarge:
		what = fmt.Sprintf("message longer than the %d-byte limit; the rest of the frame is discarded", e.Max)
	case ErrBadEndBlock:
		what = fmt.Sprintf("end block 0x1C not followed by 0x0D; frame of %d bytes discarded", e.N)
	case ErrFrameInterrupted:
		what = fmt.Sprintf("start block 0x0B inside a frame; the unfinished frame of %d bytes is discarded", e.N)
	case ErrEmptyFrame:
		what = "empty frame (0x0B 0x1C 0x0D) discarded"
	case io.ErrUnexpectedEOF:
		what = fmt.Sprintf("stream ended inside a frame after %d message bytes, before the end block 0x1C 0x0D", e.N)
	default:
		what = fmt.Sprint(e.Err)
	}
	return fmt.Sprintf("mllp: at byte %d: %s", e.Offset, what)
}

// Unwrap returns the kind of problem.
func (e *FrameError) Unwrap() error { return e.Err }

// Reader reads MLLP-framed messages from a stream, one at a time. It is not
// safe for concurrent use.
type Reader struct {
	br      *bufio.Reader
	max     int
	off     int64 // bytes consumed from the stream
	discard bool  // still inside an oversized frame
}

// NewReader returns a Reader on r that accepts messages of up to maxSize
// bytes (not counting the framing); maxSize <= 0 means
// DefaultMaxMessageSize.
func NewReader(r io.Reader, maxSize int) *Reader {
	if maxSize <= 0 {
		maxSize = DefaultMaxMessageSize
	}
	return &Reader{br: bufio.NewReader(r), max: maxSize}
}

// ReadMessage returns the next message, without its framing bytes.
//
// CR, LF, space and tab between frames are ignored. Any other byte outside a
// frame, a message over the size limit, a malformed end block, a frame cut
// short by a new start block, and an empty frame give a *FrameError, after
// which the Reader is positioned to read the next frame. When the stream
// ends between frames ReadMessage returns io.EOF; when it ends inside a frame
// it returns a *FrameError wrapping io.ErrUnexpectedEOF, then io.EOF. Errors
// from the underlying reader are returned as they are and are final.
//
// To avoid waiting for more bytes that may never come, junk outside a frame
// is reported as soon as the bytes already received are used up, so junk
// that arrives in several reads may be reported in several errors.
func (r *Reader) ReadMessage() ([]byte, error) {
	if r.discard {
		if err := r.skipRestOfFrame(); err != nil {
			return nil, err
		}
	}
	if err := r.findStart(); err != nil {
		return nil, err
	}
	var msg []byte
	for {
		c, err := r.readByte()
		if err != nil {
			return nil, r.eofInFrame(err, len(msg))
		}
		switch c {
		case StartBlock:
			r.unreadByte()
			return nil, &FrameError{Err: ErrFrameInterrupted, Offset: r.off, N: len(msg)}
		case EndBlock:
			c2, err := r.readByte()
			if err != nil {
				return nil, r.eofInFrame(err, len(msg))
			}
			if c2 != CarriageReturn {
				if c2 == StartBlock {
					r.unreadByte()
				}
				return nil, &FrameError{Err: ErrBadEndBlock, Offset: r.off - 1, N: len(msg)}
			}
			if len(msg) == 0 {
				return nil, &FrameError{Err: ErrEmptyFrame, Offset: r.off - 2}
			}
			return msg, nil
		}
		if len(msg) >= r.max {
			r.discard = true
			return nil, &FrameError{Err: ErrFrameTooLarge, Offset: r.off - 1, N: len(msg) + 1, Max: r.max}
		}
		msg = append(msg, c)
	}
}

// findStart consumes bytes up to and including the next start block.
func (r *Reader) findStart() error {
	junk := 0
	for {
		c, err := r.readByte()
		if err != nil {
			if err == io.EOF && junk > 0 {
				return &FrameError{Err: ErrNoStartBlock, Offset: r.off, N: junk}
			}
			return err
		}
		switch c {
		case StartBlock:
			if junk > 0 {
				r.unreadByte()
				return &FrameError{Err: ErrNoStartBlock, Offset: r.off, N: junk}
			}
			return nil
		case '\r', '\n', ' ', '\t':
			if junk == 0 {
				continue
			}
		}
		junk++
		if r.br.Buffered() == 0 {
			return &FrameError{Err: ErrNoStartBlock, Offset: r.off, N: junk}
		}
	}
}

// skipRestOfFrame drops the rest of an oversized frame: up to 0x1C 0x0D, or
// up to (not including) the next start block.
func (r *Reader) skipRestOfFrame() error {
	r.discard = false
	for {
		c, err := r.readByte()
		if err != nil {
			return err
		}
		switch c {
		case StartBlock:
			r.unreadByte()
			return nil
		case EndBlock:
			c2, err := r.readByte()
			if err != nil {
				return err
			}
			if c2 == StartBlock {
				r.unreadByte()
			}
			if c2 == CarriageReturn || c2 == StartBlock {
				return nil
			}
		}
	}
}

func (r *Reader) eofInFrame(err error, n int) error {
	if err == io.EOF {
		return &FrameError{Err: io.ErrUnexpectedEOF, Offset: r.off, N: n}
	}
	return err
}

func (r *Reader) readByte() (byte, error) {
	c, err := r.br.ReadByte()
	if err == nil {
		r.off++
	}
	return c, err
}

func (r *Reader) unreadByte() {
	if r.br.UnreadByte() == nil {
		r.off--
	}
}

// Frame returns msg wrapped for MLLP: 0x0B, msg, 0x1C 0x0D. It refuses an
// empty message and one containing 0x0B or 0x1C, which the receiver would
// take for framing. (Escape encodes both bytes, so messages built with this
// package never contain them.)
func Frame(msg []byte) ([]byte, error) {
	if len(msg) == 0 {
		return nil, ErrEmptyFrame
	}
	if i := bytes.IndexAny(msg, "\x0b\x1c"); i >= 0 {
		return nil, fmt.Errorf("mllp: byte %d of the message is 0x%02X: %w", i, msg[i], ErrFramingByteInMessage)
	}
	out := make([]byte, 0, len(msg)+3)
	out = append(out, StartBlock)
	out = append(out, msg...)
	return append(out, EndBlock, CarriageReturn), nil
}

// WriteFrame writes msg to w as one MLLP frame, in a single Write call.
func WriteFrame(w io.Writer, msg []byte) error {
	f, err := Frame(msg)
	if err != nil {
		return err
	}
	if _, err := w.Write(f); err != nil {
		return fmt.Errorf("mllp: writing frame: %w", err)
	}
	return nil
}
