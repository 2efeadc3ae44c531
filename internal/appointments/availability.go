package appointments

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
)

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// mayManage tells whether viewer may change professionalID's hours: the
// professional themself or an administrator.
func mayManage(viewer people.Principal, professionalID string) bool {
	return (viewer.UserID == professionalID && isProfessional(viewer)) || viewer.Has(people.Admin)
}

// checkProfessional makes sure id is an enabled nurse or doctor.
func (s *Service) checkProfessional(ctx context.Context, id string) error {
	var one int
	err := s.db.R.QueryRowContext(ctx, `SELECT 1 FROM users u WHERE u.id = $1 AND u.disabled = 0 AND `+professionalRole, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.NotFoundf("no nurse or doctor %s", id)
	}
	return errs.Wrap(err, "reading the professional")
}

func checkSlotMinutes(field string, n int) error {
	if n < 5 || n > 480 {
		return errs.Field(field, "a slot lasts from 5 to 480 minutes")
	}
	return nil
}

func checkZone(zone string) error {
	if zone == "" || zone == "Local" {
		return errs.Field("timeZone", "give your time zone as an IANA name, such as Europe/Oslo")
	}
	if _, err := time.LoadLocation(zone); err != nil {
		return errs.Field("timeZone", "%q is not a time zone: use an IANA name such as Europe/Oslo", zone)
	}
	return nil
}

// hours reads a start–end pair of local clock times.
// field is the path of the pair in the input ("weekly[2]"), empty at the top.
func hours(field, start, end string) (int, int, error) {
	name := func(s string) string {
		if field == "" {
			return s
		}
		return field + "." + s
	}
	st, ok := parseClock(start)
	if !ok || st == 24*60 {
		return 0, 0, errs.Field(name("start"), "%q is not a time: write it as HH:MM, e.g. 09:00", start)
	}
	en, ok := parseClock(end)
	if !ok {
		return 0, 0, errs.Field(name("end"), "%q is not a time: write it as HH:MM, e.g. 12:00 (24:00 for midnight)", end)
	}
	if en <= st {
		return 0, 0, errs.Field(name("end"), "the hours must end after they start (%s–%s)", start, end)
	}
	return st, en, nil
}

// SetAvailability replaces a professional's time zone, slot length and
// weekly hours. Booked appointments stay as they are; exceptions are kept
// and, like the weekly hours, read in the new zone from now on.
func (s *Service) SetAvailability(ctx context.Context, viewer people.Principal, professionalID string, n NewAvailability) (Availability, error) {
	if !mayManage(viewer, professionalID) {
		return Availability{}, errs.Forbiddenf("only the professional or an administrator can change these hours")
	}
	if err := s.checkProfessional(ctx, professionalID); err != nil {
		return Availability{}, err
	}
	n.TimeZone = strings.TrimSpace(n.TimeZone)
	if err := checkZone(n.TimeZone); err != nil {
		return Availability{}, err
	}
	if err := checkSlotMinutes("slotMinutes", n.SlotMinutes); err != nil {
		return Availability{}, err
	}
	type row struct {
		wd               time.Weekday
		start, end, slot int
		kind             Kind
	}
	var rows []row
	for i, w := range n.Weekly {
		field := fmt.Sprintf("weekly[%d]", i)
		wd, ok := parseWeekday(w.Weekday)
		if !ok {
			return Availability{}, errs.Field(field+".weekday", "%q is not a weekday: use monday … sunday", w.Weekday)
		}
		st, en, err := hours(field, w.Start, w.End)
		if err != nil {
			return Availability{}, err
		}
		if !w.Kind.valid() {
			return Availability{}, errs.Field(field+".kind", "say whether these hours are in_person or video")
		}
		slot := w.SlotMinutes
		if slot == 0 {
			slot = n.SlotMinutes
		}
		if err := checkSlotMinutes(field+".slotMinutes", slot); err != nil {
			return Availability{}, err
		}
		if en-st < slot {
			return Availability{}, errs.Field(field+".end", "%s–%s is shorter than one %d-minute slot", w.Start, w.End, slot)
		}
		for _, r := range rows {
			if r.wd == wd && r.start < en && st < r.end {
				return Availability{}, errs.Field(field, "these hours overlap other hours on %s", weekdays[wd])
			}
		}
		rows = append(rows, row{wd, st, en, slot, w.Kind})
	}
	now := s.clock.Now()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO availability (professional_id, time_zone, slot_minutes, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (professional_id) DO UPDATE SET time_zone = $2, slot_minutes = $3,
			updated_at = $4, updated_by = $5`, professionalID, n.TimeZone, n.SlotMinutes, db.Millis(now), viewer.UserID); err != nil {
			return errs.Wrap(err, "saving availability")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM availability_hours WHERE professional_id = $1`, professionalID); err != nil {
			return errs.Wrap(err, "saving availability")
		}
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, `INSERT INTO availability_hours (id, professional_id, weekday, start_minute, end_minute, slot_minutes, kind)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, newID(), professionalID, int(r.wd), r.start, r.end, r.slot, string(r.kind)); err != nil {
				return errs.Wrap(err, "saving availability")
			}
		}
		return nil
	})
	if err != nil {
		return Availability{}, err
	}
	return s.Availability(ctx, viewer, professionalID)
}

// Availability returns a professional's hours and the exceptions from
// today on, to anyone who may see their open slots.
func (s *Service) Availability(ctx context.Context, viewer people.Principal, professionalID string) (Availability, error) {
	if ok, err := s.maySeeSlots(ctx, viewer, professionalID); err != nil || !ok {
		return Availability{}, hidden(err, professionalID)
	}
	a := Availability{ProfessionalID: professionalID, Weekly: []WeeklyHours{}, Exceptions: []Exception{}}
	var updated int64
	err := s.db.R.QueryRowContext(ctx, `SELECT time_zone, slot_minutes, updated_at FROM availability WHERE professional_id = $1`,
		professionalID).Scan(&a.TimeZone, &a.SlotMinutes, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil // nothing published yet
	}
	if err != nil {
		return Availability{}, errs.Wrap(err, "reading availability")
	}
	a.UpdatedAt = db.Time(updated)
	rows, err := s.db.R.QueryContext(ctx, `SELECT weekday, start_minute, end_minute, slot_minutes, kind FROM availability_hours
		WHERE professional_id = $1 ORDER BY (weekday + 6) % 7, start_minute`, professionalID)
	if err != nil {
		return Availability{}, errs.Wrap(err, "reading availability")
	}
	defer rows.Close()
	for rows.Next() {
		var wd, st, en, slot int
		var kind string
		if err := rows.Scan(&wd, &st, &en, &slot, &kind); err != nil {
			return Availability{}, errs.Wrap(err, "reading availability")
		}
		w := WeeklyHours{Weekday: weekdays[wd], Start: clockText(st), End: clockText(en), Kind: Kind(kind)}
		if slot != a.SlotMinutes {
			w.SlotMinutes = slot
		}
		a.Weekly = append(a.Weekly, w)
	}
	if err := rows.Err(); err != nil {
		return Availability{}, errs.Wrap(err, "reading availability")
	}
	today := dateOf(s.clock.Now().In(Location(a.TimeZone)))
	a.Exceptions, err = s.exceptions(ctx, professionalID, today.String())
	return a, err
}

func hidden(err error, professionalID string) error {
	if err != nil {
		return err
	}
	return errs.NotFoundf("no professional %s, or you cannot book with them", professionalID)
}

func (s *Service) exceptions(ctx context.Context, professionalID, fromDay string) ([]Exception, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, kind, first_day, last_day, start_minute, end_minute, slot_minutes,
		COALESCE(visit_kind, ''), note, created_at FROM availability_exceptions
		WHERE professional_id = $1 AND last_day >= $2 ORDER BY first_day, start_minute, id`, professionalID, fromDay)
	if err != nil {
		return nil, errs.Wrap(err, "reading exceptions")
	}
	defer rows.Close()
	out := []Exception{}
	for rows.Next() {
		var e Exception
		var st, en, slot sql.NullInt64
		var kind, visit string
		var created int64
		if err := rows.Scan(&e.ID, &kind, &e.From, &e.To, &st, &en, &slot, &visit, &e.Note, &created); err != nil {
			return nil, errs.Wrap(err, "reading exceptions")
		}
		e.Kind, e.VisitKind, e.CreatedAt = ExceptionKind(kind), Kind(visit), db.Time(created)
		if st.Valid {
			e.Start, e.End, e.SlotMinutes = clockText(int(st.Int64)), clockText(int(en.Int64)), int(slot.Int64)
		}
		out = append(out, e)
	}
	return out, errs.Wrap(rows.Err(), "reading exceptions")
}

// AddException adds days off or a date with extra hours.
func (s *Service) AddException(ctx context.Context, viewer people.Principal, professionalID string, n NewException) (Exception, error) {
	if !mayManage(viewer, professionalID) {
		return Exception{}, errs.Forbiddenf("only the professional or an administrator can change these hours")
	}
	var zone string
	var defSlot int
	err := s.db.R.QueryRowContext(ctx, `SELECT time_zone, slot_minutes FROM availability WHERE professional_id = $1`, professionalID).Scan(&zone, &defSlot)
	if errors.Is(err, sql.ErrNoRows) {
		return Exception{}, errs.Conflictf("publish weekly hours (with your time zone) before adding exceptions")
	}
	if err != nil {
		return Exception{}, errs.Wrap(err, "reading availability")
	}
	first, ok := parseDate(n.From)
	if !ok {
		return Exception{}, errs.Field("from", "%q is not a date: write it as YYYY-MM-DD", n.From)
	}
	last := first
	if n.To != "" {
		if last, ok = parseDate(n.To); !ok {
			return Exception{}, errs.Field("to", "%q is not a date: write it as YYYY-MM-DD", n.To)
		}
	}
	if last.before(first) {
		return Exception{}, errs.Field("to", "the last day comes before the first")
	}
	n.Note = strings.TrimSpace(n.Note)
	if len(n.Note) > 200 {
		return Exception{}, errs.Field("note", "keep the note under 200 characters")
	}
	var st, en, slot, visit any
	switch n.Kind {
	case Off:
		if last.add(-366).String() > first.String() {
			return Exception{}, errs.Field("to", "days off span at most a year at a time")
		}
	case Extra:
		if last != first {
			return Exception{}, errs.Field("to", "extra hours are for one date: add one exception per date")
		}
		a, b, err := hours("", n.Start, n.End)
		if err != nil {
			return Exception{}, err
		}
		if !n.VisitKind.valid() {
			return Exception{}, errs.Field("visitKind", "say whether these hours are in_person or video")
		}
		sl := n.SlotMinutes
		if sl == 0 {
			sl = defSlot
		}
		if err := checkSlotMinutes("slotMinutes", sl); err != nil {
			return Exception{}, err
		}
		if b-a < sl {
			return Exception{}, errs.Field("end", "%s–%s is shorter than one %d-minute slot", n.Start, n.End, sl)
		}
		st, en, slot, visit = a, b, sl, string(n.VisitKind)
	default:
		return Exception{}, errs.Field("kind", "an exception is off (days off) or extra (extra hours)")
	}
	id := newID()
	_, err = s.db.W.ExecContext(ctx, `INSERT INTO availability_exceptions (id, professional_id, kind, first_day, last_day,
		start_minute, end_minute, slot_minutes, visit_kind, note, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, id, professionalID, string(n.Kind), first.String(), last.String(),
		st, en, slot, visit, n.Note, db.Millis(s.clock.Now()), viewer.UserID)
	if err != nil {
		return Exception{}, errs.Wrap(err, "saving exception")
	}
	es, err := s.exceptions(ctx, professionalID, first.String())
	if err != nil {
		return Exception{}, err
	}
	i := slices.IndexFunc(es, func(e Exception) bool { return e.ID == id })
	if i < 0 {
		return Exception{}, errs.Wrap(errors.New("exception vanished"), "saving exception")
	}
	return es[i], nil
}

// RemoveException deletes an exception; bookings made meanwhile stay.
func (s *Service) RemoveException(ctx context.Context, viewer people.Principal, professionalID, exceptionID string) error {
	if !mayManage(viewer, professionalID) {
		return errs.Forbiddenf("only the professional or an administrator can change these hours")
	}
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM availability_exceptions WHERE id = $1 AND professional_id = $2`, exceptionID, professionalID)
	if err != nil {
		return errs.Wrap(err, "removing exception")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFoundf("no exception %s", exceptionID)
	}
	return nil
}

// loadSchedule reads what is needed to lay out slots between two instants.
func (s *Service) loadSchedule(ctx context.Context, q querier, professionalID string, from, to time.Time) (*schedule, error) {
	sc := &schedule{professionalID: professionalID, extra: map[date][]block{}}
	err := q.QueryRowContext(ctx, `SELECT time_zone FROM availability WHERE professional_id = $1`, professionalID).Scan(&sc.zone)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.Conflictf("this professional has not published any hours yet")
	}
	if err != nil {
		return nil, errs.Wrap(err, "reading availability")
	}
	sc.loc = Location(sc.zone)
	rows, err := q.QueryContext(ctx, `SELECT weekday, start_minute, end_minute, slot_minutes, kind FROM availability_hours
		WHERE professional_id = $1`, professionalID)
	if err != nil {
		return nil, errs.Wrap(err, "reading availability")
	}
	for rows.Next() {
		var wd int
		var b block
		var kind string
		if err := rows.Scan(&wd, &b.start, &b.end, &b.slot, &kind); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "reading availability")
		}
		b.kind = Kind(kind)
		sc.weekly[wd] = append(sc.weekly[wd], b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "reading availability")
	}
	first, last := dateOf(from.In(sc.loc)).add(-1), dateOf(to.In(sc.loc)).add(1)
	rows, err = q.QueryContext(ctx, `SELECT kind, first_day, last_day, start_minute, end_minute, slot_minutes, COALESCE(visit_kind, '')
		FROM availability_exceptions WHERE professional_id = $1 AND last_day >= $2 AND first_day <= $3`,
		professionalID, first.String(), last.String())
	if err != nil {
		return nil, errs.Wrap(err, "reading exceptions")
	}
	defer rows.Close()
	for rows.Next() {
		var kind, a, b, visit string
		var st, en, slot sql.NullInt64
		if err := rows.Scan(&kind, &a, &b, &st, &en, &slot, &visit); err != nil {
			return nil, errs.Wrap(err, "reading exceptions")
		}
		fd, _ := parseDate(a)
		ld, _ := parseDate(b)
		switch ExceptionKind(kind) {
		case Off:
			sc.off = append(sc.off, dayRange{fd, ld})
		case Extra:
			sc.extra[fd] = append(sc.extra[fd], block{start: int(st.Int64), end: int(en.Int64), slot: int(slot.Int64), kind: Kind(visit)})
		}
	}
	return sc, errs.Wrap(rows.Err(), "reading exceptions")
}

// OpenSlots returns the professional's slots that start in [from, to),
// are still in the future and overlap no active booking, sorted by start.
func (s *Service) OpenSlots(ctx context.Context, viewer people.Principal, professionalID string, from, to time.Time) ([]Slot, error) {
	if err := s.checkRange(from, to); err != nil {
		return nil, err
	}
	if ok, err := s.maySeeSlots(ctx, viewer, professionalID); err != nil || !ok {
		return nil, hidden(err, professionalID)
	}
	now := s.clock.Now()
	if !from.After(now) {
		from = now.Add(time.Nanosecond) // a slot starting now has passed for booking
	}
	out := []Slot{}
	if !to.After(from) {
		return out, nil
	}
	sc, err := s.loadSchedule(ctx, s.db.R, professionalID, from, to)
	if errs.Is(err, errs.Conflict) {
		return out, nil // nothing published: nothing open
	}
	if err != nil {
		return nil, err
	}
	all := sc.slots(from, to)
	if len(all) == 0 {
		return out, nil
	}
	busy, err := s.busy(ctx, s.db.R, professionalID, all[0].Start, all[len(all)-1].End)
	if err != nil {
		return nil, err
	}
	zone := s.ZoneOf(ctx, viewer.UserID)
	for _, sl := range all {
		if !slices.ContainsFunc(busy, func(b [2]time.Time) bool { return b[0].Before(sl.End) && sl.Start.Before(b[1]) }) {
			sl.ViewerTime = sl.In(zone)
			out = append(out, sl)
		}
	}
	return out, nil
}

// busy returns the intervals of the professional's active bookings that
// overlap [from, to).
func (s *Service) busy(ctx context.Context, q querier, professionalID string, from, to time.Time) ([][2]time.Time, error) {
	rows, err := q.QueryContext(ctx, `SELECT starts_at, ends_at FROM appointments WHERE professional_id = $1 AND status = 'booked'
		AND starts_at < $2 AND ends_at > $3 ORDER BY starts_at`, professionalID, db.Millis(to), db.Millis(from))
	if err != nil {
		return nil, errs.Wrap(err, "reading bookings")
	}
	defer rows.Close()
	var out [][2]time.Time
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			return nil, errs.Wrap(err, "reading bookings")
		}
		out = append(out, [2]time.Time{db.Time(a), db.Time(b)})
	}
	return out, errs.Wrap(rows.Err(), "reading bookings")
}

// findSlot returns the slot of the schedule that starts at start (of kind,
// when given), ignoring bookings.
func (s *Service) findSlot(ctx context.Context, professionalID, proName string, start time.Time, kind Kind) (Slot, error) {
	sc, err := s.loadSchedule(ctx, s.db.R, professionalID, start.Add(-time.Hour), start.Add(time.Hour))
	if err != nil {
		return Slot{}, err
	}
	for _, sl := range sc.slots(start, start.Add(time.Millisecond)) {
		if sl.Start.Equal(start) && (kind == "" || sl.Kind == kind) {
			return sl, nil
		}
	}
	return Slot{}, errs.Conflictf("%s does not offer that time (their hours may have changed); pick another slot", proName)
}
