package simulate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Door is a way into Tend.
type Door string

// The doors. DoorMixed gives each kind of device the door such devices
// usually speak.
const (
	DoorHTTP  Door = "http"
	DoorFHIR  Door = "fhir"
	DoorMQTT  Door = "mqtt"
	DoorMLLP  Door = "mllp"
	DoorGATT  Door = "gatt"
	DoorMixed Door = "mixed"
)

// ParseDoor reads a door's name.
func ParseDoor(s string) (Door, error) {
	switch d := Door(strings.ToLower(strings.TrimSpace(s))); d {
	case DoorHTTP, DoorFHIR, DoorMQTT, DoorMLLP, DoorGATT, DoorMixed:
		return d, nil
	}
	return "", fmt.Errorf("no door %q: use http, fhir, mqtt, mllp, gatt or mixed", s)
}

// mixedDoors is the door each kind of device takes in a mixed run: a
// phone relays Bluetooth cuffs and oximeters, wearables publish over MQTT,
// a bedside monitor speaks HL7, a gateway posts FHIR or JSON.
var mixedDoors = map[Kind]Door{
	BloodPressureMonitor:  DoorGATT,
	PulseOximeter:         DoorGATT,
	Glucometer:            DoorMQTT,
	HeartRateStrap:        DoorMQTT,
	Thermometer:           DoorFHIR,
	Scale:                 DoorHTTP,
	MultiParameterMonitor: DoorMLLP,
}

// carries reports whether the door can carry what a kind of device
// measures. GATT has no characteristic here for weight or a monitor's
// respiratory rate; the PCD-01 codes Tend maps have none for glucose.
func (d Door) carries(k Kind) bool {
	switch d {
	case DoorGATT:
		switch k {
		case BloodPressureMonitor, Thermometer, Glucometer, PulseOximeter, HeartRateStrap:
			return true
		}
		return false
	case DoorMLLP:
		return k != Glucometer
	}
	return true
}

// sender sends one device's measurements through one door and counts what
// became of them.
type sender interface {
	send(ctx context.Context, d *Device, ms []Measurement, c *counter) error
	close(c *counter)
}

// batchSize is how many readings a door's requests carry by default, and
// the most they may: Tend takes 10,000 readings in one HTTP batch and
// 1,000 entries in a Bundle or values in a GATT post; an MQTT publish stays
// well under the broker's 256 KiB. HL7 sends one message per measurement,
// whatever the batch.
func batchSize(d Door) (normal, most int) {
	switch d {
	case DoorHTTP:
		return 5000, 10000
	case DoorMQTT:
		return 400, 1000
	case DoorMLLP:
		return 100, 1000
	}
	return 500, 1000
}

// take splits off the first measurements of ms holding at most limit
// readings (and at least one measurement).
func take(ms []Measurement, limit int) (head, rest []Measurement) {
	n, k := 0, 0
	for k < len(ms) && (k == 0 || n+len(ms[k].Readings) <= limit) {
		n += len(ms[k].Readings)
		k++
	}
	return ms[:k:k], ms[k:]
}

// readingCount is the number of readings in ms.
func readingCount(ms []Measurement) int {
	n := 0
	for _, m := range ms {
		n += len(m.Readings)
	}
	return n
}

// item is one reading in the JSON of the HTTP batch door (and MQTT's).
type item struct {
	Type           string          `json:"type"`
	Value          *float64        `json:"value,omitempty"`
	Components     []itemComponent `json:"components,omitempty"`
	Unit           string          `json:"unit"`
	TakenAt        time.Time       `json:"takenAt"`
	ExternalID     string          `json:"externalId,omitempty"`
	Flags          []string        `json:"flags,omitempty"`
	BatteryPercent *int            `json:"batteryPercent,omitempty"`
}

type itemComponent struct {
	Key   string  `json:"key"`
	Value float64 `json:"value"`
}

func items(ms []Measurement) []item {
	out := make([]item, 0, readingCount(ms))
	for _, m := range ms {
		for _, r := range m.Readings {
			it := item{Type: r.Type, Unit: r.Unit, TakenAt: m.TakenAt.UTC(), ExternalID: r.ExternalID, Flags: r.Flags, BatteryPercent: m.Battery}
			if len(r.Components) > 0 {
				for _, c := range r.Components {
					it.Components = append(it.Components, itemComponent(c))
				}
			} else {
				v := r.Value
				it.Value = &v
			}
			out = append(out, it)
		}
	}
	return out
}

// result is the ingest path's answer to one reading.
type result struct {
	Outcome    string `json:"outcome"`
	ExternalID string `json:"externalId"`
	Reason     string `json:"reason"`
	Message    string `json:"message"`
}

// web is an HTTP client to Tend with retries: a fault of the network or of
// the server (5xx, 429) is tried again, with the same body, so the same
// external ids; that is safe because Tend answers a reading it has as
// "duplicate".
type web struct {
	base    string
	client  *http.Client
	retries int
}

// auth is how a request signs in: a device by HTTP Basic, a person by a
// bearer token, or a session cookie with its CSRF token.
type auth struct {
	user, pass string
	bearer     string
	cookie     *http.Cookie
	csrf       string
}

func deviceAuth(d *Device) auth { return auth{user: d.ID, pass: d.Credential} }
func bearer(token string) auth  { return auth{bearer: token} }

// statusError is an answer of Tend that is not a success.
type statusError struct {
	Status int
	Body   []byte
}

func (e *statusError) Error() string {
	msg := strings.TrimSpace(string(e.Body))
	var p struct {
		Title, Detail string
		Errors        []struct{ Message, Location string }
	}
	if json.Unmarshal(e.Body, &p) == nil && (p.Detail != "" || p.Title != "") {
		msg = p.Detail
		if msg == "" {
			msg = p.Title
		}
		for _, fe := range p.Errors {
			msg += "; " + fe.Location + ": " + fe.Message
		}
	}
	if len(msg) > 500 {
		msg = msg[:500] + "…"
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, msg)
}

// do sends one request and reads the answer into out (when not nil) if it
// is a success; otherwise it returns a *statusError, or the network's
// error after the retries. It returns the status and headers of the last
// answer.
func (w *web) do(ctx context.Context, method, path string, a auth, contentType string, body []byte, out any) (int, http.Header, error) {
	var lastErr error
	backoff := 200 * time.Millisecond
	for attempt := 0; ; attempt++ {
		status, h, data, err := w.once(ctx, method, path, a, contentType, body)
		retry := false
		switch {
		case err != nil:
			lastErr, retry = err, ctx.Err() == nil
		case status == http.StatusTooManyRequests || status >= 500:
			lastErr, retry = &statusError{status, data}, true
			if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil && s > 0 {
				backoff = time.Duration(s) * time.Second
			}
		case status >= 300:
			return status, h, &statusError{status, data}
		default:
			if out != nil && len(data) > 0 {
				if err := json.Unmarshal(data, out); err != nil {
					return status, h, fmt.Errorf("reading the answer to %s %s: %w", method, path, err)
				}
			}
			return status, h, nil
		}
		if !retry || attempt >= w.retries {
			return status, h, lastErr
		}
		select {
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (w *web) once(ctx context.Context, method, path string, a auth, contentType string, body []byte) (int, http.Header, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, w.base+path, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	accept := "application/json"
	if strings.Contains(contentType, "fhir") {
		accept = "application/fhir+json"
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", "tend-simulate")
	switch {
	case a.user != "":
		req.SetBasicAuth(a.user, a.pass)
	case a.bearer != "":
		req.Header.Set("Authorization", "Bearer "+a.bearer)
	case a.cookie != nil:
		req.AddCookie(a.cookie)
		req.Header.Set("X-CSRF-Token", a.csrf)
	}
	res, err := w.client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return 0, nil, nil, err
	}
	return res.StatusCode, res.Header, data, nil
}

// doJSON sends v as JSON.
func (w *web) doJSON(ctx context.Context, method, path string, a auth, v, out any) (int, error) {
	var body []byte
	if v != nil {
		var err error
		if body, err = json.Marshal(v); err != nil {
			return 0, err
		}
	}
	status, _, err := w.do(ctx, method, path, a, "application/json", body, out)
	return status, err
}

// reasonIn picks the ingest path's reason out of a message from a door
// that answers in words (an OperationOutcome, an HL7 ERR segment): the
// reason the words give, or fallback.
func reasonIn(text, fallback string) string {
	t := strings.ToLower(text)
	switch {
	case strings.Contains(t, "plausible"):
		return "implausible"
	case strings.Contains(t, "disabled"):
		return "disabled"
	case strings.Contains(t, "not assigned"):
		return "unassigned"
	case strings.Contains(t, "assigned to another patient"):
		return "patient_mismatch"
	case strings.Contains(t, "before the device was assigned"):
		return "before_assignment"
	case strings.Contains(t, "in the future"):
		return "future"
	}
	return fallback
}
