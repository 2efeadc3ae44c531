package mqttdoor

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tend-health/tend/internal/readings"
)

// envelope is every shape a readings payload may take as one object: the
// batch {"readings": […]}, or the fields of a single item.
type envelope struct {
	Readings *[]readings.Item `json:"readings"`
	readings.Item
}

// decodeReadings reads the payload of a readings topic: {"readings": [...]},
// a bare array of items, or one item object. Unknown fields are errors, so
// that a misspelt field is reported rather than lost. The error says what is
// wrong in words a device's maker can act on, and never quotes values.
func decodeReadings(payload []byte) ([]readings.Item, error) {
	p := bytes.TrimLeft(payload, " \t\r\n")
	if len(p) == 0 {
		return nil, errors.New(`empty payload: send {"readings": [ … ]} or a single reading object`)
	}
	dec := json.NewDecoder(bytes.NewReader(p))
	dec.DisallowUnknownFields()
	var items []readings.Item
	switch p[0] {
	case '[':
		if err := dec.Decode(&items); err != nil {
			return nil, jsonProblem(err)
		}
	case '{':
		var e envelope
		if err := dec.Decode(&e); err != nil {
			return nil, jsonProblem(err)
		}
		if e.Readings != nil {
			if hasItemFields(&e.Item) {
				return nil, errors.New(`give either "readings" with a list of readings, or the fields of one reading, not both`)
			}
			items = *e.Readings
		} else {
			items = []readings.Item{e.Item}
		}
	default:
		return nil, errors.New(`the payload is not a JSON object or array: send {"readings": [ … ]} or a single reading object`)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON value: send one JSON value per publish")
	}
	if len(items) == 0 {
		return nil, errors.New(`no readings in the payload: "readings" is empty`)
	}
	if len(items) > readings.MaxItems {
		return nil, fmt.Errorf("%d readings in one publish; at most %d", len(items), readings.MaxItems)
	}
	return items, nil
}

func hasItemFields(it *readings.Item) bool {
	return it.Type != "" || it.LOINC != "" || it.Value != nil || it.Components != nil || it.Unit != "" ||
		!it.TakenAt.IsZero() || it.ExternalID != "" || it.Flags != nil || it.BatteryPercent != nil || it.DeviceStatus != ""
}

// jsonProblem rewrites a decoding error for the device's maker: where in
// the payload, and what was expected, without the value itself.
func jsonProblem(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("the payload is not valid JSON (at byte %d): %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "the payload"
		} else {
			field = "field " + strings.TrimPrefix(strings.TrimPrefix(field, "Item."), "readings.")
		}
		return fmt.Errorf("%s: a JSON %s where a %s belongs (at byte %d)", field, typ.Value, jsonKind(typ.Type.Kind().String()), typ.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the payload is not valid JSON: it ends too early")
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if strings.HasPrefix(msg, "unknown field") {
		return fmt.Errorf("%s: the fields of a reading are type, loinc, value, components, unit, takenAt, externalId, flags, batteryPercent and deviceStatus", msg)
	}
	// Time parse errors quote the text; keep only what was expected.
	if strings.Contains(msg, "parsing time") {
		return errors.New(`a time is not in RFC 3339 form, such as "2026-05-01T12:00:00Z"`)
	}
	return fmt.Errorf("the payload cannot be read: %s", msg)
}

func jsonKind(k string) string {
	switch k {
	case "float64", "int", "int64":
		return "number"
	case "slice":
		return "list"
	case "struct", "map":
		return "object"
	}
	return k
}

// contentIDs gives each item without an external id one derived from its
// content: the same item published twice is the same reading, and MQTT may
// deliver a publish twice.
func contentIDs(items []readings.Item) {
	for i := range items {
		if items[i].ExternalID != "" {
			continue
		}
		b, err := json.Marshal(&items[i])
		if err != nil {
			continue
		}
		sum := sha256.Sum256(b)
		items[i].ExternalID = "mqtt-" + hex.EncodeToString(sum[:16])
	}
}
