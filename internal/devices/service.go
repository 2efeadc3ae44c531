package devices

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
)

// FlushInterval is how often, at most, what ingest reports about a device
// (last seen, battery, status, refusals) is written to the database.
const FlushInterval = 5 * time.Second

// Service keeps the device register.
type Service struct {
	db     *db.DB
	clock  clock.Clock
	people *people.Service
	access *access.Service

	mu      sync.Mutex
	pending map[string]*activity // by device id; written by flush
	cache   map[string]cached    // by device id; see Lookup
	stop    chan struct{}
	done    chan struct{}
	closed  bool
}

// New returns a Service and starts the background writer of device
// activity; Close stops it.
func New(d *db.DB, c clock.Clock, p *people.Service, a *access.Service) *Service {
	s := &Service{db: d, clock: c, people: p, access: a, pending: map[string]*activity{}, cache: map[string]cached{},
		stop: make(chan struct{}), done: make(chan struct{})}
	go s.flushLoop(FlushInterval)
	return s
}

// Close writes the activity not yet written and stops the background writer.
func (s *Service) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	close(s.stop)
	<-s.done
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.Flush(ctx)
}

// secretPrefix marks Tend's device credentials, so that secret scanners and
// people can tell them apart from other tokens.
const secretPrefix = "tend_dev_"

func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return secretPrefix + base64.RawURLEncoding.EncodeToString(b)
}

func hashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

func actorID(ctx context.Context) string { return audit.ActorFrom(ctx).ID }

// Add registers a device and returns it with its credential, which is shown
// this once.
func (s *Service) Add(ctx context.Context, n NewDevice) (Device, Credential, error) {
	n, err := n.check()
	if err != nil {
		return Device{}, Credential{}, err
	}
	now := db.Millis(s.clock.Now())
	id := uuid.Must(uuid.NewV7()).String()
	secret := newSecret()
	var eui any
	if n.EUI64 != "" {
		eui = n.EUI64
	}
	_, err = s.db.W.ExecContext(ctx, `INSERT INTO devices (id, kind, maker, model, serial, eui64, protocol, label,
		secret_hash, secret_set_at, enabled, created_at, created_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12, $11)`,
		id, string(n.Kind), n.Maker, n.Model, n.Serial, eui, n.Protocol, n.Label, hashSecret(secret), now, now, actorID(ctx))
	if db.IsUnique(err) {
		return Device{}, Credential{}, s.clash(ctx, n)
	}
	if err != nil {
		return Device{}, Credential{}, errs.Wrap(err, "adding device")
	}
	d, err := s.Get(ctx, id)
	return d, Credential{DeviceID: id, Secret: secret}, err
}

// clash explains which unique field of a new device is taken.
func (s *Service) clash(ctx context.Context, n NewDevice) error {
	if n.EUI64 != "" {
		if d, err := s.ByEUI64(ctx, n.EUI64); err == nil {
			return &errs.Error{Kind: errs.Conflict, Message: "another device (" + d.ID + ") has the EUI-64 " + n.EUI64,
				Fields: []errs.FieldError{{Field: "eui64", Message: "already registered"}}}
		}
	}
	return &errs.Error{Kind: errs.Conflict,
		Message: "a device from " + n.Maker + " with serial number " + n.Serial + " is already registered",
		Fields:  []errs.FieldError{{Field: "serial", Message: "already registered for this maker"}}}
}

const deviceColumns = `d.id, d.kind, d.maker, d.model, d.serial, d.eui64, d.protocol, d.label, d.enabled,
	d.patient_id, d.assigned_at, d.last_seen_at, d.battery_percent, d.status, d.status_at,
	d.secret_set_at, d.created_at, d.updated_at`

type scanner interface{ Scan(...any) error }

func scanDevice(r scanner, extra ...any) (Device, error) {
	var d Device
	var kind string
	var eui, patient sql.NullString
	var assigned, seen, statusAt sql.NullInt64
	var battery sql.NullInt64
	var secretSet, created, updated int64
	dest := append([]any{&d.ID, &kind, &d.Maker, &d.Model, &d.Serial, &eui, &d.Protocol, &d.Label, &d.Enabled,
		&patient, &assigned, &seen, &battery, &d.Status, &statusAt, &secretSet, &created, &updated}, extra...)
	if err := r.Scan(dest...); err != nil {
		return Device{}, err
	}
	d.Kind, d.EUI64, d.PatientID = Kind(kind), eui.String, patient.String
	d.AssignedAt, d.LastSeenAt, d.StatusAt = optTime(assigned), optTime(seen), optTime(statusAt)
	if battery.Valid {
		b := int(battery.Int64)
		d.BatteryPercent = &b
	}
	d.CredentialSetAt, d.CreatedAt, d.UpdatedAt = db.Time(secretSet), db.Time(created), db.Time(updated)
	return d, nil
}

func optTime(ms sql.NullInt64) *time.Time {
	if !ms.Valid {
		return nil
	}
	t := db.Time(ms.Int64)
	return &t
}

func notFound(id string) error { return errs.NotFoundf("no device %s", id) }

// CacheTTL is how long Lookup and Authenticate may answer from memory. A
// change made through this Service applies at once; one made by another
// node sharing the database (disabling a device, rotating its credential)
// reaches this node within CacheTTL.
const CacheTTL = time.Second

// maxCached bounds the cache; past it, the cache starts afresh.
const maxCached = 100000

type cached struct {
	d      Device
	hash   string
	expiry time.Time
}

// load returns a device and its secret's hash, from the cache when fresh.
func (s *Service) load(ctx context.Context, id string) (Device, string, error) {
	if _, err := uuid.Parse(id); err != nil {
		return Device{}, "", notFound(id)
	}
	now := time.Now()
	s.mu.Lock()
	c, ok := s.cache[id]
	s.mu.Unlock()
	if ok && now.Before(c.expiry) {
		return c.d, c.hash, nil
	}
	var hash string
	d, err := scanDevice(s.db.R.QueryRowContext(ctx, `SELECT `+deviceColumns+`, d.secret_hash FROM devices d WHERE d.id = $1`, id), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return Device{}, "", notFound(id)
	}
	if err != nil {
		return Device{}, "", errs.Wrap(err, "reading device")
	}
	s.mu.Lock()
	if len(s.cache) >= maxCached {
		s.cache = map[string]cached{}
	}
	s.cache[id] = cached{d: d, hash: hash, expiry: now.Add(CacheTTL)}
	s.mu.Unlock()
	return d, hash, nil
}

// forget drops a device from the cache after a change.
func (s *Service) forget(id string) {
	s.mu.Lock()
	delete(s.cache, id)
	s.mu.Unlock()
}

// Lookup returns a device as the ingest path needs it, without refusal
// counts, and from memory when it was read less than CacheTTL ago.
func (s *Service) Lookup(ctx context.Context, id string) (Device, error) {
	d, _, err := s.load(ctx, id)
	if err != nil {
		return Device{}, err
	}
	s.overlay(&d)
	return d, nil
}

// fresh reads a device from the database, bypassing the cache.
func (s *Service) fresh(ctx context.Context, id string) (Device, error) {
	s.forget(id)
	return s.Lookup(ctx, id)
}

// Get returns a device with its refusal counts.
func (s *Service) Get(ctx context.Context, id string) (Device, error) {
	d, err := s.fresh(ctx, id)
	if err != nil {
		return Device{}, err
	}
	ds := []Device{d}
	if err := s.addRefusals(ctx, ds); err != nil {
		return Device{}, err
	}
	return ds[0], nil
}

// ByEUI64 returns the device with the given EUI-64, in any of the spellings
// NormalizeEUI64 accepts.
func (s *Service) ByEUI64(ctx context.Context, eui string) (Device, error) {
	norm, err := NormalizeEUI64(eui)
	if err != nil {
		return Device{}, err
	}
	d, err := scanDevice(s.db.R.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices d WHERE d.eui64 = $1`, norm))
	if errors.Is(err, sql.ErrNoRows) {
		return Device{}, errs.NotFoundf("no device with the EUI-64 %s", norm)
	}
	if err != nil {
		return Device{}, errs.Wrap(err, "reading device")
	}
	s.overlay(&d)
	return d, nil
}

// List returns the devices that match f, oldest first, with their refusal
// counts. It is for administrators: the caller checks the role.
func (s *Service) List(ctx context.Context, f Filter) ([]Device, error) {
	var args db.Args
	where := []string{"1 = 1"}
	if f.Kind != "" {
		where = append(where, "d.kind = "+args.Add(string(f.Kind)))
	}
	if f.PatientID != "" {
		where = append(where, "d.patient_id = "+args.Add(f.PatientID))
	}
	if f.Enabled != nil {
		where = append(where, "d.enabled = "+args.Add(db.Bool(*f.Enabled)))
	}
	if f.Assigned != nil {
		if *f.Assigned {
			where = append(where, "d.patient_id IS NOT NULL")
		} else {
			where = append(where, "d.patient_id IS NULL")
		}
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		like := args.Add("%" + escapeLike(strings.ToLower(q)) + "%")
		where = append(where, `(LOWER(d.maker) LIKE `+like+` ESCAPE '\' OR LOWER(d.model) LIKE `+like+` ESCAPE '\'
			OR LOWER(d.serial) LIKE `+like+` ESCAPE '\' OR LOWER(d.label) LIKE `+like+` ESCAPE '\'
			OR LOWER(COALESCE(d.eui64, '')) LIKE `+like+` ESCAPE '\')`)
	}
	if f.After != "" {
		where = append(where, "d.id > "+args.Add(f.After))
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 1000)
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+deviceColumns+` FROM devices d WHERE `+strings.Join(where, " AND ")+
		` ORDER BY d.id LIMIT `+args.Add(f.Limit), args...)
	if err != nil {
		return nil, errs.Wrap(err, "listing devices")
	}
	out, err := s.scanDevices(rows)
	if err != nil {
		return nil, err
	}
	return out, s.addRefusals(ctx, out)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (s *Service) scanDevices(rows *sql.Rows) ([]Device, error) {
	defer rows.Close()
	out := []Device{}
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, errs.Wrap(err, "reading devices")
		}
		s.overlay(&d)
		out = append(out, d)
	}
	return out, errs.Wrap(rows.Err(), "reading devices")
}

// ForPatient lists the devices assigned to a patient now, for anyone who
// may see the patient's vitals: the patient, their care team, those they
// shared vitals with. Others get NotFound, as if the patient did not exist.
func (s *Service) ForPatient(ctx context.Context, viewer people.Principal, patientID string) ([]Device, error) {
	if err := s.access.Check(ctx, viewer, patientID, access.Vitals); err != nil {
		return nil, err
	}
	var args db.Args
	q := `SELECT ` + deviceColumns + ` FROM devices d WHERE d.patient_id = ` + args.Add(patientID) + ` AND ` +
		access.Where(&args, "d.patient_id", viewer.UserID, access.Vitals, s.clock.Now()) + ` ORDER BY d.assigned_at, d.id`
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, errs.Wrap(err, "listing the patient's devices")
	}
	return s.scanDevices(rows)
}

// History lists a device's assignments, oldest first.
func (s *Service) History(ctx context.Context, deviceID string) ([]Assignment, error) {
	if _, err := s.Lookup(ctx, deviceID); err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, device_id, patient_id, from_at, to_at, assigned_by, COALESCE(unassigned_by, '')
		FROM device_assignments WHERE device_id = $1 ORDER BY from_at, id`, deviceID)
	if err != nil {
		return nil, errs.Wrap(err, "reading assignments")
	}
	defer rows.Close()
	out := []Assignment{}
	for rows.Next() {
		var a Assignment
		var from int64
		var to sql.NullInt64
		if err := rows.Scan(&a.ID, &a.DeviceID, &a.PatientID, &from, &to, &a.AssignedBy, &a.UnassignedBy); err != nil {
			return nil, errs.Wrap(err, "reading assignments")
		}
		a.From, a.To = db.Time(from), optTime(to)
		out = append(out, a)
	}
	return out, errs.Wrap(rows.Err(), "reading assignments")
}

// Assign gives the device to a patient from now on. Assigning it again to
// the same patient changes nothing; a device assigned to someone else must
// be unassigned first, so that nobody's readings silently change hands.
func (s *Service) Assign(ctx context.Context, deviceID, patientID string) (Device, error) {
	d, err := s.Lookup(ctx, deviceID)
	if err != nil {
		return Device{}, err
	}
	u, err := s.people.Get(ctx, patientID)
	switch {
	case err != nil || !u.Has(people.Patient):
		return Device{}, errs.Field("patientId", "no patient %s", patientID)
	case u.Disabled:
		return Device{}, errs.Field("patientId", "%s's account is disabled", u.Name)
	}
	now := db.Millis(s.clock.Now())
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE devices SET patient_id = $1, assigned_at = $2, updated_at = $2
			WHERE id = $3 AND patient_id IS NULL`, patientID, now, deviceID)
		if err != nil {
			return errs.Wrap(err, "assigning device")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var current sql.NullString
			if err := tx.QueryRowContext(ctx, `SELECT patient_id FROM devices WHERE id = $1`, deviceID).Scan(&current); err != nil {
				return errs.Wrap(err, "assigning device")
			}
			if current.String == patientID {
				return errAlready
			}
			return errs.Conflictf("device %s (%s %s) is assigned to another patient; unassign it first", deviceID, d.Maker, d.Serial)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO device_assignments (id, device_id, patient_id, from_at, assigned_by)
			VALUES ($1, $2, $3, $4, $5)`, uuid.Must(uuid.NewV7()).String(), deviceID, patientID, now, actorID(ctx))
		return errs.Wrap(err, "recording assignment")
	})
	s.forget(deviceID)
	if err != nil && !errors.Is(err, errAlready) {
		return Device{}, err
	}
	return s.Get(ctx, deviceID)
}

var errAlready = errors.New("already so")

// Unassign ends the device's current assignment. A device assigned to
// nobody is left as it is.
func (s *Service) Unassign(ctx context.Context, deviceID string) (Device, error) {
	if _, err := s.Lookup(ctx, deviceID); err != nil {
		return Device{}, err
	}
	now := db.Millis(s.clock.Now())
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE devices SET patient_id = NULL, assigned_at = NULL, updated_at = $1
			WHERE id = $2 AND patient_id IS NOT NULL`, now, deviceID)
		if err != nil {
			return errs.Wrap(err, "unassigning device")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errAlready
		}
		_, err = tx.ExecContext(ctx, `UPDATE device_assignments SET to_at = $1, unassigned_by = $2
			WHERE device_id = $3 AND to_at IS NULL`, now, actorID(ctx), deviceID)
		return errs.Wrap(err, "closing assignment")
	})
	s.forget(deviceID)
	if err != nil && !errors.Is(err, errAlready) {
		return Device{}, err
	}
	return s.Get(ctx, deviceID)
}

// SetEnabled enables or disables a device. A disabled device still
// authenticates, so that its readings can be refused with a reason and
// counted, but nothing it sends is stored.
func (s *Service) SetEnabled(ctx context.Context, deviceID string, enabled bool) (Device, error) {
	res, err := s.db.W.ExecContext(ctx, `UPDATE devices SET enabled = $1, updated_at = $2 WHERE id = $3`,
		db.Bool(enabled), db.Millis(s.clock.Now()), deviceID)
	s.forget(deviceID)
	if err != nil {
		return Device{}, errs.Wrap(err, "changing device")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Device{}, notFound(deviceID)
	}
	return s.Get(ctx, deviceID)
}

// RotateCredential gives the device a new secret, shown this once; the old
// one stops working at once.
func (s *Service) RotateCredential(ctx context.Context, deviceID string) (Credential, error) {
	secret := newSecret()
	now := db.Millis(s.clock.Now())
	res, err := s.db.W.ExecContext(ctx, `UPDATE devices SET secret_hash = $1, secret_set_at = $2, updated_at = $2 WHERE id = $3`,
		hashSecret(secret), now, deviceID)
	s.forget(deviceID)
	if err != nil {
		return Credential{}, errs.Wrap(err, "rotating credential")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Credential{}, notFound(deviceID)
	}
	return Credential{DeviceID: deviceID, Secret: secret}, nil
}

// RefusedCredential is the refusal reason counted when a known device
// presents a wrong secret.
const RefusedCredential = "credential"

// dummyHash is compared against when the device is unknown, so that an
// unknown device takes as long to refuse as a wrong secret.
var dummyHash = hashSecret("no such device")

// Authenticate returns the device whose id and secret these are. The
// secret's hash is compared in constant time. A wrong secret for a known
// device is counted as a refusal. A disabled or unassigned device does
// authenticate: ingest refuses its readings with that reason, and counts
// them, which an administrator can see.
func (s *Service) Authenticate(ctx context.Context, deviceID, secret string) (Device, error) {
	refuse := errs.Unauthorizedf("unknown device or wrong credential")
	sum := hashSecret(secret)
	d, stored, err := s.load(ctx, deviceID)
	if errs.Is(err, errs.NotFound) {
		subtle.ConstantTimeCompare([]byte(sum), []byte(dummyHash))
		return Device{}, refuse
	}
	if err != nil {
		return Device{}, err
	}
	if subtle.ConstantTimeCompare([]byte(sum), []byte(stored)) != 1 {
		s.Refused(deviceID, RefusedCredential, 1)
		return Device{}, refuse
	}
	s.overlay(&d)
	return d, nil
}

func (s *Service) addRefusals(ctx context.Context, ds []Device) error {
	if len(ds) == 0 {
		return nil
	}
	var args db.Args
	ids := make([]string, len(ds))
	at := map[string]int{}
	for i, d := range ds {
		ids[i] = args.Add(d.ID)
		at[d.ID] = i
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT device_id, reason, count, first_at, last_at FROM device_refusals
		WHERE device_id IN (`+strings.Join(ids, ", ")+`) ORDER BY device_id, reason`, args...)
	if err != nil {
		return errs.Wrap(err, "reading refusals")
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var r Refusal
		var first, last int64
		if err := rows.Scan(&id, &r.Reason, &r.Count, &first, &last); err != nil {
			return errs.Wrap(err, "reading refusals")
		}
		r.FirstAt, r.LastAt = db.Time(first), db.Time(last)
		ds[at[id]].Refusals = append(ds[at[id]].Refusals, r)
	}
	if err := rows.Err(); err != nil {
		return errs.Wrap(err, "reading refusals")
	}
	for i := range ds {
		s.overlayRefusals(&ds[i])
	}
	return nil
}
