package monitoring

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/monitoring/outbox"
)

// silentDevices claims one batch of watched devices whose silence has gone
// on too long, raises a device-silent alert for each (where the patient's
// rule is on), and marks them alerted until they are heard from again.
func (s *Service) silentDevices(ctx context.Context, now time.Time, st *TickStats) (int, error) {
	var claimed, alerted int
	err := s.write(ctx, func(tx querier, out *[]outbox.Item) error {
		claimed, alerted = 0, 0
		rows, err := tx.QueryContext(ctx, `SELECT w.device_id, w.patient_id, w.last_seen_at FROM device_watch w
			WHERE w.alerted = 0 AND w.silent_at <= $1 ORDER BY w.silent_at LIMIT $2`+s.skipLocked("w"), db.Millis(now), s.batch())
		if err != nil {
			return errs.Wrap(err, "claiming silent devices")
		}
		type silent struct {
			device, patient string
			lastSeen        time.Time
		}
		var got []silent
		var patients, devices []string
		for rows.Next() {
			var x silent
			var seen int64
			if err := rows.Scan(&x.device, &x.patient, &seen); err != nil {
				rows.Close()
				return errs.Wrap(err, "claiming silent devices")
			}
			x.lastSeen = db.Time(seen)
			got = append(got, x)
			devices = append(devices, x.device)
			if !slices.Contains(patients, x.patient) {
				patients = append(patients, x.patient)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return errs.Wrap(err, "claiming silent devices")
		}
		claimed = len(got)
		if claimed == 0 {
			return nil
		}
		ov, err := loadOverrides(ctx, tx, patients)
		if err != nil {
			return err
		}
		var hits []hit
		for _, x := range got {
			var rule Rule
			for _, r := range s.effectiveRules(ov[x.patient], 1) {
				if r.Key == RuleDeviceSilent {
					rule = r
				}
			}
			if !rule.Enabled {
				continue
			}
			alerted++
			hits = append(hits, hit{patientID: x.patient, ruleKey: RuleDeviceSilent + ":" + x.device, kind: KindDevice,
				severity: rule.Severity, title: rule.Name, deviceID: x.device, at: now,
				detail: fmt.Sprintf("Nothing received from the device since %s UTC.", x.lastSeen.UTC().Format("2006-01-02 15:04"))})
		}
		var args db.Args
		if _, err := tx.ExecContext(ctx, `UPDATE device_watch SET alerted = 1 WHERE device_id IN (`+placeholders(&args, devices)+`)`, args...); err != nil {
			return errs.Wrap(err, "marking silent devices")
		}
		return s.raise(ctx, tx, hits, now, out)
	})
	if err != nil {
		return 0, err
	}
	st.SilentDevices += alerted
	return claimed, nil
}
