package mqttdoor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/gatt"
	"github.com/tend-health/tend/internal/readings"
)

// publish is what the door reads of one PUBLISH packet.
type publish struct {
	topic      string
	payload    []byte
	packetID   uint16
	redelivery bool   // the DUP flag: the client sent it before
	externalID string // MQTT 5 user property "externalId", if any
}

// Answer is what the door publishes on tend/devices/{id}/results after each
// publish on the readings or gatt topics: what became of each item, in the
// order sent, or why nothing could be read at all.
type Answer struct {
	// Topic and PacketID name the publish answered (the packet id is 0
	// for QoS 0).
	Topic     string `json:"topic"`
	PacketID  uint16 `json:"packetId,omitempty"`
	Stored    int    `json:"stored"`
	Duplicate int    `json:"duplicate"`
	Refused   int    `json:"refused"`
	// Results holds one entry per reading, as the HTTP door answers.
	Results []readings.Result `json:"results"`
	// Error says why the payload as a whole was refused (then Results is
	// empty); Note remarks on a payload that held nothing to store.
	Error *Problem `json:"error,omitempty"`
	Note  string   `json:"note,omitempty"`
}

// Problem is a refusal of a whole publish.
type Problem struct {
	// Reason is a stable word: "invalid" (the payload cannot be read),
	// "unknown_type" (a characteristic Tend does not decode), "topic" (a
	// topic the door does not read), "too_large", "unknown_device", or
	// the ingest path's reasons.
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// handle turns one publish into readings and stores them. The error is
// returned only for a fault of Tend's own, after which nothing must be
// acknowledged; every other outcome is in the answer.
func (d *Door) handle(ctx context.Context, deviceID string, p publish) (Answer, error) {
	a := Answer{Topic: p.topic, PacketID: p.packetID, Results: []readings.Result{}}
	r, _ := parseTopic(p.topic, deviceID)
	if r.kind != kindReadings && r.kind != kindGATT {
		return d.refuse(ctx, deviceID, "", a, reasonTopic, fmt.Sprintf(
			"nothing is read from %s: publish readings to %s%s/readings, or a Bluetooth value to %s%s/gatt/{characteristic}",
			p.topic, topicPrefix, deviceID, topicPrefix, deviceID)), nil
	}
	// The device as it is now: its patient's time zone reads a Bluetooth
	// value's clock, and the audit trail names the patient.
	dev, err := d.deps.Devices.Lookup(ctx, deviceID)
	if err != nil {
		if errs.KindOf(err) == errs.NotFound {
			return d.refuse(ctx, deviceID, "", a, "unknown_device", "this device is no longer registered in Tend"), nil
		}
		return a, err
	}
	var items []readings.Item
	switch r.kind {
	case kindReadings:
		its, err := decodeReadings(p.payload)
		if err != nil {
			return d.refuse(ctx, deviceID, dev.PatientID, a, string(readings.ReasonInvalid), err.Error()), nil
		}
		contentIDs(its)
		items = its
	case kindGATT:
		its, prob, err := d.gattItems(ctx, dev, r.characteristic, p)
		if err != nil {
			return a, err
		}
		if prob != nil {
			return d.refuse(ctx, deviceID, dev.PatientID, a, prob.Reason, prob.Message), nil
		}
		if len(its) == 0 {
			a.Note = "the value measured nothing about the patient (a control solution, demonstration data, or no measurement); nothing was stored"
			d.record(ctx, audit.Event{Action: "mqtt.publish", PatientID: dev.PatientID, Resource: p.topic, Outcome: audit.Success,
				Detail: "nothing to store"})
			return a, nil
		}
		items = its
	}
	rs, err := d.deps.Readings.Ingest(ctx, readings.Batch{Door: readings.DoorMQTT, Source: readings.SourceDevice,
		DeviceID: deviceID, Items: items})
	if err != nil {
		var e *errs.Error
		switch {
		case errs.KindOf(err) == errs.Internal || ctx.Err() != nil:
			return a, err
		case errors.As(err, &e) && e.Kind == errs.NotFound:
			return d.refuse(ctx, deviceID, dev.PatientID, a, "unknown_device", "this device is no longer registered in Tend"), nil
		case errors.As(err, &e) && e.Kind == errs.TooLarge:
			return d.refuse(ctx, deviceID, dev.PatientID, a, "too_large", e.Message), nil
		default:
			return d.refuse(ctx, deviceID, dev.PatientID, a, string(readings.ReasonInvalid), err.Error()), nil
		}
	}
	a.Results = rs
	a.Stored, a.Duplicate, a.Refused = readings.Tally(rs)
	outcome := audit.Success
	if a.Refused > 0 {
		outcome = audit.Failure
	}
	d.record(ctx, audit.Event{Action: "mqtt.publish", PatientID: dev.PatientID, Resource: p.topic, Outcome: outcome,
		Detail: fmt.Sprintf("stored %d, duplicate %d, refused %d", a.Stored, a.Duplicate, a.Refused)})
	return a, nil
}

// refuse answers a publish that cannot be stored at all, and counts the
// refusal on the device.
func (d *Door) refuse(ctx context.Context, deviceID, patientID string, a Answer, reason, message string) Answer {
	a.Error = &Problem{Reason: reason, Message: message}
	d.deps.Devices.Refused(deviceID, reason, 1)
	d.log.Info("publish refused", "device", deviceID, "topic", a.Topic, "reason", reason)
	d.record(ctx, audit.Event{Action: "mqtt.publish", PatientID: patientID, Resource: a.Topic, Outcome: audit.Failure, Detail: reason})
	return a
}

// gattItems decodes a characteristic value into items, with the patient's
// time zone for the device's clock and an external id that makes a
// redelivery a duplicate.
func (d *Door) gattItems(ctx context.Context, dev devices.Device, name string, p publish) ([]readings.Item, *Problem, error) {
	c, err := gatt.ParseCharacteristic(name)
	if err != nil {
		return nil, &Problem{Reason: string(readings.ReasonUnknownType), Message: err.Error()}, nil
	}
	res, err := gatt.DecodeCharacteristic(c, p.payload)
	if err != nil {
		return nil, &Problem{Reason: string(readings.ReasonInvalid), Message: err.Error()}, nil
	}
	if len(p.externalID) > maxExternalID {
		return nil, &Problem{Reason: string(readings.ReasonInvalid),
			Message: fmt.Sprintf("the user property externalId is longer than %d characters", maxExternalID)}, nil
	}
	loc := time.UTC
	if dev.PatientID != "" {
		u, err := d.deps.People.Get(ctx, dev.PatientID)
		if err != nil && errs.KindOf(err) == errs.Internal {
			return nil, nil, err
		}
		if err == nil {
			loc = u.Profile.Location()
		}
	}
	now := d.clock.Now()
	received, id := now, p.externalID
	switch {
	case id != "":
	case hasDeviceTime(res):
		id = gattID(c, p.payload)
	default:
		id, received = d.recent.id(dev.ID, c, p.payload, p.redelivery, now)
	}
	return readings.FromGATT(res, loc, received, id), nil, nil
}

// answer publishes the outcome of a publish on the device's results topic.
func (d *Door) answer(deviceID string, a Answer) {
	b, err := json.Marshal(a)
	if err == nil {
		err = d.server.Publish(resultsTopic(deviceID), b, false, 1)
	}
	if err != nil {
		d.log.Warn("publishing results", "device", deviceID, "err", err)
	}
}
