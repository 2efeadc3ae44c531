package people

import (
	"context"
	"strings"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
)

// HiddenName stands in a patient's record for a person whose name its
// reader is not told.
const HiddenName = "another Tend user"

// NamesIn returns the names of the users ids as shown in patientID's record
// to viewerID: the patient, the viewer, staff (nurses, doctors,
// administrators) and family are named, since a patient has a right to know
// who entered or looked at their data; anyone else (another patient given
// access, say) is HiddenName. An id that is no user is left out.
func (s *Service) NamesIn(ctx context.Context, viewerID, patientID string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	seen := map[string]bool{}
	var marks []string
	var args db.Args
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		marks = append(marks, args.Add(id))
	}
	if len(marks) == 0 {
		return out, nil
	}
	named := []string{args.Add(string(Nurse)), args.Add(string(Doctor)), args.Add(string(Admin)), args.Add(string(Family))}
	rows, err := s.db.R.QueryContext(ctx, `SELECT u.id, u.name,
		EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role IN (`+strings.Join(named, ",")+`))
		FROM users u WHERE u.id IN (`+strings.Join(marks, ",")+`)`, args...)
	if err != nil {
		return nil, errs.Wrap(err, "reading names")
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		var staffOrFamily bool
		if err := rows.Scan(&id, &name, &staffOrFamily); err != nil {
			return nil, errs.Wrap(err, "reading names")
		}
		if !staffOrFamily && id != patientID && id != viewerID {
			name = HiddenName
		}
		out[id] = name
	}
	return out, errs.Wrap(rows.Err(), "reading names")
}
