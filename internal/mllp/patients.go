package mllp

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
)

// Patient is who a message is about, as the door needs it.
type Patient struct {
	ID string
	// Location is the patient's time zone, in which HL7 times without a
	// UTC offset are read; UTC when the profile names none.
	Location *time.Location
}

// Patients finds the patient with a medical record number.
type Patients interface {
	// ByMRN returns the patient whose MRN is mrn, or an errs.NotFound.
	ByMRN(ctx context.Context, mrn string) (Patient, error)
}

// PatientsByMRN looks patients up by MRN in Tend's database. It is here
// because the people service has no such lookup yet; it only reads, and
// only the patient profile's MRN and time zone.
func PatientsByMRN(d *db.DB) Patients { return mrnStore{d} }

type mrnStore struct{ d *db.DB }

func (s mrnStore) ByMRN(ctx context.Context, mrn string) (Patient, error) {
	var id string
	var tz sql.NullString
	err := s.d.R.QueryRowContext(ctx, `SELECT p.user_id, p.time_zone FROM patient_profiles p
		JOIN user_roles r ON r.user_id = p.user_id AND r.role = 'patient'
		WHERE p.mrn = $1`, mrn).Scan(&id, &tz)
	if errors.Is(err, sql.ErrNoRows) {
		return Patient{}, errs.NotFoundf("no patient with that medical record number")
	}
	if err != nil {
		return Patient{}, errs.Wrap(err, "finding a patient by MRN")
	}
	loc := time.UTC
	if tz.Valid && tz.String != "" {
		if l, err := time.LoadLocation(tz.String); err == nil {
			loc = l
		}
	}
	return Patient{ID: id, Location: loc}, nil
}
