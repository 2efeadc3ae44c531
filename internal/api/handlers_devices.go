package api

import (
	"context"

	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
)

type listDevicesInput struct {
	Kind      string `query:"kind"`
	PatientID string `query:"patientId"`
	Enabled   string `query:"enabled" enum:"true,false" doc:"Only enabled (true) or disabled (false) devices"`
	Assigned  string `query:"assigned" enum:"true,false" doc:"Only devices assigned to a patient (true), or not (false)"`
	Q         string `query:"q" doc:"Part of the maker, model, serial, label or EUI-64"`
	After     string `query:"after" doc:"The id of the last device of the previous page"`
	Limit     int    `query:"limit" minimum:"0" maximum:"1000"`
}

type devicesOutput struct {
	Body struct {
		Devices []devices.Device `json:"devices"`
	}
}

func (s *Server) listDevices(ctx context.Context, in *listDevicesInput) (*devicesOutput, error) {
	ds, err := s.Devices.List(ctx, devices.Filter{Kind: devices.Kind(in.Kind), PatientID: in.PatientID, Q: in.Q, After: in.After, Limit: in.Limit,
		Enabled: optionalBool(in.Enabled), Assigned: optionalBool(in.Assigned)})
	out := &devicesOutput{}
	out.Body.Devices = ds
	return out, err
}

type createDeviceInput struct {
	Body struct {
		devices.NewDevice
		PatientID string `json:"patientId,omitempty" doc:"Assign the device to this patient at once"`
	}
}

type deviceWithCredential struct {
	Body struct {
		Device     devices.Device `json:"device"`
		Credential string         `json:"credential" doc:"The device's secret: shown this once"`
	}
}

func (s *Server) createDevice(ctx context.Context, in *createDeviceInput) (*deviceWithCredential, error) {
	if in.Body.PatientID != "" {
		if u, err := s.People.Get(ctx, in.Body.PatientID); err != nil || !u.Has(people.Patient) {
			return nil, errs.Field("patientId", "no patient %s", in.Body.PatientID)
		}
	}
	d, cred, err := s.Devices.Add(ctx, in.Body.NewDevice)
	if err != nil {
		return nil, err
	}
	if in.Body.PatientID != "" {
		if d, err = s.Devices.Assign(ctx, d.ID, in.Body.PatientID); err != nil {
			return nil, err
		}
	}
	out := &deviceWithCredential{}
	out.Body.Device, out.Body.Credential = d, cred.Secret
	return out, nil
}

type deviceIDInput struct {
	DeviceID string `path:"deviceId"`
}

type deviceOutput struct{ Body devices.Device }

func (s *Server) getDevice(ctx context.Context, in *deviceIDInput) (*deviceOutput, error) {
	d, err := s.Devices.Get(ctx, in.DeviceID)
	return &deviceOutput{Body: d}, err
}

type updateDeviceInput struct {
	DeviceID string `path:"deviceId"`
	Body     struct {
		Enabled *bool `json:"enabled,omitempty" doc:"A disabled device's readings are refused at every door"`
	}
}

func (s *Server) updateDevice(ctx context.Context, in *updateDeviceInput) (*deviceOutput, error) {
	if in.Body.Enabled == nil {
		d, err := s.Devices.Get(ctx, in.DeviceID)
		return &deviceOutput{Body: d}, err
	}
	d, err := s.Devices.SetEnabled(ctx, in.DeviceID, *in.Body.Enabled)
	return &deviceOutput{Body: d}, err
}

func (s *Server) rotateCredential(ctx context.Context, in *deviceIDInput) (*deviceWithCredential, error) {
	cred, err := s.Devices.RotateCredential(ctx, in.DeviceID)
	if err != nil {
		return nil, err
	}
	d, err := s.Devices.Get(ctx, in.DeviceID)
	out := &deviceWithCredential{}
	out.Body.Device, out.Body.Credential = d, cred.Secret
	return out, err
}

type assignInput struct {
	DeviceID string `path:"deviceId"`
	Body     struct {
		PatientID string `json:"patientId"`
	}
}

func (s *Server) assignDevice(ctx context.Context, in *assignInput) (*deviceOutput, error) {
	d, err := s.Devices.Assign(ctx, in.DeviceID, in.Body.PatientID)
	return &deviceOutput{Body: d}, err
}

func (s *Server) unassignDevice(ctx context.Context, in *deviceIDInput) (*deviceOutput, error) {
	d, err := s.Devices.Unassign(ctx, in.DeviceID)
	return &deviceOutput{Body: d}, err
}

type historyOutput struct {
	Body struct {
		Assignments []devices.Assignment `json:"assignments"`
	}
}

func (s *Server) deviceHistory(ctx context.Context, in *deviceIDInput) (*historyOutput, error) {
	h, err := s.Devices.History(ctx, in.DeviceID)
	out := &historyOutput{}
	out.Body.Assignments = h
	return out, err
}

func (s *Server) patientDevices(ctx context.Context, in *patientInput) (*devicesOutput, error) {
	ds, err := s.Devices.ForPatient(ctx, principal(ctx), in.PatientID)
	out := &devicesOutput{}
	out.Body.Devices = ds
	return out, err
}

// optionalBool reads an optional true/false query parameter: nil when absent.
func optionalBool(v string) *bool {
	if v == "" {
		return nil
	}
	b := v == "true"
	return &b
}
