package hl7

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestFrameSample(t *testing.T) {
	f, err := Frame([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(f[:8]), "0b4d53487c5e7e5c"; got != want {
		t.Errorf("frame starts %s, want %s", got, want)
	}
	if got, want := hex.EncodeToString(f[len(f)-6:]), "3030300d1c0d"; got != want {
		t.Errorf("frame ends %s, want %s", got, want)
	}
	if len(f) != len(sample)+3 {
		t.Errorf("frame is %d bytes, want message %d + 3", len(f), len(sample))
	}
	// standards.md says the sample frames to 1011 bytes.
	if len(f) != 1011 {
		t.Errorf("frame is %d bytes, standards.md says 1011", len(f))
	}
	t.Logf("sample: message %d bytes, frame %d bytes", len(sample), len(f))
}

func TestFrameRefusesFramingBytes(t *testing.T) {
	for _, msg := range []string{"MSH|^~\\&|\x0b", "MSH|^~\\&|\x1c\r", ""} {
		if _, err := Frame([]byte(msg)); err == nil {
			t.Errorf("Frame(%q) succeeded", msg)
		}
	}
	_, err := Frame([]byte("MSH\x1c"))
	if !errors.Is(err, ErrFramingByteInMessage) {
		t.Errorf("Frame error %v does not wrap ErrFramingByteInMessage", err)
	}
	if err := WriteFrame(io.Discard, []byte("a\x0bb")); !errors.Is(err, ErrFramingByteInMessage) {
		t.Errorf("WriteFrame error = %v", err)
	}
}

// countingWriter counts Write calls.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestWriteFrame(t *testing.T) {
	var w countingWriter
	if err := WriteFrame(&w, []byte(sample)); err != nil {
		t.Fatal(err)
	}
	if w.writes != 1 {
		t.Errorf("%d Write calls, want 1", w.writes)
	}
	if got := w.String(); got != "\x0b"+sample+"\x1c\r" {
		t.Errorf("wrote %q", got)
	}
	if err := WriteFrame(failingWriter{}, []byte(sample)); err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("WriteFrame to a failing writer: %v", err)
	}
}

func frame(s string) string { return "\x0b" + s + "\x1c\r" }

// readAll reads messages until an error that is not a *FrameError, and
// returns the messages and the frame errors in between as a transcript.
func readAll(t *testing.T, r *Reader) ([]string, []error, error) {
	t.Helper()
	var msgs []string
	var ferrs []error
	for i := 0; i < 1000; i++ {
		m, err := r.ReadMessage()
		if err != nil {
			var fe *FrameError
			if errors.As(err, &fe) {
				ferrs = append(ferrs, err)
				msgs = append(msgs, "ERR")
				continue
			}
			return msgs, ferrs, err
		}
		msgs = append(msgs, string(m))
	}
	t.Fatal("reader did not finish")
	return nil, nil, nil
}

func TestReaderSeveralMessages(t *testing.T) {
	ack := sampleACK
	stream := frame(sample) + frame(ack) + "\r\n" + frame(sample) + "\n"
	for name, src := range map[string]func() io.Reader{
		"whole":    func() io.Reader { return strings.NewReader(stream) },
		"one byte": func() io.Reader { return iotest.OneByteReader(strings.NewReader(stream)) },
		"half":     func() io.Reader { return iotest.HalfReader(strings.NewReader(stream)) },
	} {
		t.Run(name, func(t *testing.T) {
			msgs, ferrs, err := readAll(t, NewReader(src(), 0))
			if err != io.EOF {
				t.Errorf("final error = %v, want io.EOF", err)
			}
			if len(ferrs) != 0 {
				t.Errorf("frame errors: %v", ferrs)
			}
			if len(msgs) != 3 || msgs[0] != sample || msgs[1] != ack || msgs[2] != sample {
				t.Errorf("messages = %q", msgs)
			}
		})
	}
}

func TestReaderEmptyStream(t *testing.T) {
	for _, s := range []string{"", "\r\n \t"} {
		if _, err := NewReader(strings.NewReader(s), 0).ReadMessage(); err != io.EOF {
			t.Errorf("ReadMessage on %q = %v, want io.EOF", s, err)
		}
	}
}

// TestReaderResync checks each kind of framing error, and that the reader
// then reads the good frame that follows.
func TestReaderResync(t *testing.T) {
	good := "MSH|^~\\&|A||B||20261122103000||ORU^R01|2|P|2.6\r"
	tests := []struct {
		name   string
		stream string
		max    int
		want   error
		text   string
		msgs   []string // the transcript; "ERR" for the frame error
	}{
		{"junk before the start block", "junk" + frame(good), 0, ErrNoStartBlock,
			"at byte 4: 4 bytes outside a frame discarded: want start block 0x0B", []string{"ERR", good}},
		{"unframed message", good + frame(good), 0, ErrNoStartBlock,
			"bytes outside a frame", []string{"ERR", good}},
		{"junk after the last frame", frame(good) + "xyz", 0, ErrNoStartBlock,
			"3 bytes outside a frame", []string{good, "ERR"}},
		{"oversized message", frame(strings.Repeat("M", 100)) + frame(good), 64, ErrFrameTooLarge,
			"longer than the 64-byte limit", []string{"ERR", good}},
		{"oversized message cut by a new frame", "\x0b" + strings.Repeat("M", 100) + frame(good), 64, ErrFrameTooLarge,
			"64-byte limit", []string{"ERR", good}},
		{"oversized message with a stray end block", frame(strings.Repeat("M", 70)+"\x1cX"+strings.Repeat("M", 10)) + frame(good), 64, ErrFrameTooLarge,
			"64-byte limit", []string{"ERR", good}},
		{"end block without CR", "\x0b" + good + "\x1cX" + frame(good), 0, ErrBadEndBlock,
			"0x1C not followed by 0x0D", []string{"ERR", good}},
		{"end block without CR, then junk", "\x0b" + good + "\x1cXY" + frame(good), 0, ErrBadEndBlock,
			"0x1C not followed by 0x0D", []string{"ERR", "ERR", good}},
		{"end block followed by a start block", "\x0b" + good + "\x1c" + frame(good), 0, ErrBadEndBlock,
			"not followed by 0x0D", []string{"ERR", good}},
		{"frame interrupted by a new one", "\x0bMSH|^~\\&|cut off" + frame(good), 0, ErrFrameInterrupted,
			"start block 0x0B inside a frame", []string{"ERR", good}},
		{"empty frame", "\x0b\x1c\r" + frame(good), 0, ErrEmptyFrame,
			"empty frame", []string{"ERR", good}},
		{"stream ends inside a frame", frame(good) + "\x0bMSH|^~\\&|cut", 0, io.ErrUnexpectedEOF,
			"stream ended inside a frame after 12 message bytes", []string{good, "ERR"}},
		{"stream ends after the end block", frame(good) + "\x0b" + good + "\x1c", 0, io.ErrUnexpectedEOF,
			"stream ended inside a frame", []string{good, "ERR"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, ferrs, err := readAll(t, NewReader(strings.NewReader(tt.stream), tt.max))
			if err != io.EOF {
				t.Errorf("final error = %v, want io.EOF", err)
			}
			if strings.Join(msgs, "\n") != strings.Join(tt.msgs, "\n") {
				t.Errorf("transcript = %q, want %q (errors %v)", msgs, tt.msgs, ferrs)
			}
			if len(ferrs) == 0 {
				t.Fatal("no frame error")
			}
			if !errors.Is(ferrs[0], tt.want) {
				t.Errorf("error %v is not %v", ferrs[0], tt.want)
			}
			if !strings.Contains(ferrs[0].Error(), tt.text) || !strings.HasPrefix(ferrs[0].Error(), "mllp: at byte ") {
				t.Errorf("error %q does not say %q", ferrs[0], tt.text)
			}
		})
	}
}

func TestReaderMaxSizeBoundary(t *testing.T) {
	msg := strings.Repeat("M", 64)
	got, err := NewReader(strings.NewReader(frame(msg)), 64).ReadMessage()
	if err != nil || string(got) != msg {
		t.Errorf("message of exactly the limit: %q, %v", got, err)
	}
	_, err = NewReader(strings.NewReader(frame(msg+"M")), 64).ReadMessage()
	if !errors.Is(err, ErrFrameTooLarge) {
		t.Errorf("message one byte over the limit: %v", err)
	}
}

func TestReaderDefaultMax(t *testing.T) {
	big := strings.Repeat("M", DefaultMaxMessageSize+1)
	_, err := NewReader(strings.NewReader(frame(big)), 0).ReadMessage()
	var fe *FrameError
	if !errors.As(err, &fe) || fe.Err != ErrFrameTooLarge || fe.Max != DefaultMaxMessageSize {
		t.Errorf("over 1 MiB: %v", err)
	}
}

// TestReaderReportsJunkWithoutWaiting: a sender that forgets the framing
// and waits for an answer must get an error, not a reader blocked waiting
// for a start block that never comes.
func TestReaderReportsJunkWithoutWaiting(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	go func() { _, _ = pw.Write([]byte(sample)) }()
	done := make(chan error, 1)
	go func() {
		_, err := NewReader(pr, 0).ReadMessage()
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNoStartBlock) {
			t.Errorf("err = %v, want ErrNoStartBlock", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadMessage blocked on unframed input")
	}
}

func TestReaderUnderlyingError(t *testing.T) {
	boom := errors.New("read timeout")
	r := NewReader(io.MultiReader(strings.NewReader("\x0bMSH|"), iotest.ErrReader(boom)), 0)
	if _, err := r.ReadMessage(); !errors.Is(err, boom) {
		t.Errorf("err = %v, want the underlying error", err)
	}
	var fe *FrameError
	r = NewReader(iotest.ErrReader(boom), 0)
	if _, err := r.ReadMessage(); !errors.Is(err, boom) || errors.As(err, &fe) {
		t.Errorf("err = %v, want the underlying error unwrapped", err)
	}
}

// TestReaderFrameRoundTrip frames the sample and its ACK with Frame and
// reads them back.
func TestReaderFrameRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	for _, m := range []string{sample, sampleACK, sample} {
		if err := WriteFrame(&buf, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	msgs, ferrs, err := readAll(t, NewReader(&buf, 0))
	if err != io.EOF || len(ferrs) != 0 || len(msgs) != 3 || msgs[1] != sampleACK {
		t.Errorf("read back %q, %v, %v", msgs, ferrs, err)
	}
}
