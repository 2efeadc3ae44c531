package simulate

import (
	"context"
	"net/http"
	"strconv"
)

// httpSender posts a device's readings to the JSON batch door,
// POST /api/v1/readings, signed in as the device.
type httpSender struct{ web *web }

type batchAnswer struct {
	Results []result `json:"results"`
}

func (s *httpSender) send(ctx context.Context, d *Device, ms []Measurement, c *counter) error {
	its := items(ms)
	return postBatch(ctx, s.web, deviceAuth(d), "", its, DoorHTTP, c)
}

func (s *httpSender) close(*counter) {}

// postBatch posts readings to the batch door and counts the answers. A
// person names the patient; a device's readings go to its own.
func postBatch(ctx context.Context, w *web, a auth, patientID string, its []item, door Door, c *counter) error {
	body := struct {
		PatientID string `json:"patientId,omitempty"`
		Readings  []item `json:"readings"`
	}{patientID, its}
	var ans batchAnswer
	status, err := w.doJSON(ctx, http.MethodPost, "/api/v1/readings", a, body, &ans)
	if err != nil {
		if status >= 400 && status < 500 && status != http.StatusTooManyRequests {
			// The batch as a whole was refused (a bad credential, a
			// patient the sender may not write to): Tend took none of it.
			c.refused(httpReason(status), len(its))
			return err
		}
		c.errors(len(its))
		return err
	}
	c.sent(door, len(its))
	for _, r := range ans.Results {
		c.outcome(r.Outcome, r.Reason)
	}
	return nil
}

// httpReason words a refusal of a whole request.
func httpReason(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	}
	return "http_" + strconv.Itoa(status)
}
