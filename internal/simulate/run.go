package simulate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Config is one run of the simulator.
type Config struct {
	// URL is Tend's address, such as http://localhost:8080.
	URL string
	// Token is an administrator's API token, for the setup step, the
	// backfill and disabling a device. Without one, DevicesFile must hold
	// the devices' credentials from an earlier run.
	Token string
	// DevicesFile, when set, is written after the setup with every
	// device's id and credential, or read when there is no Token.
	DevicesFile string

	Patients int
	Seed     int64
	Door     Door
	FHIRMode string // FHIRSingle, FHIRBatch (default) or FHIRTransaction
	MQTTAddr string // default: the URL's host, port 1883
	MLLPAddr string // default: the URL's host, port 2575

	// Rate is the readings per second to send, over all devices. Zero
	// sends them as the schedules make them, in real time. Otherwise the
	// simulated clock runs faster (or slower) than the real one by the
	// factor that gives this rate, and each reading is stamped with the
	// real time it is sent at, so none lies in the future.
	Rate float64
	// Live says whether to stream after the backfill; Duration bounds the
	// stream (0: until ctx ends).
	Live     bool
	Duration time.Duration
	// Backfill is how much history to send first, as fast as Tend takes
	// it, in large batches (imported by the gateway account: see
	// GatewayEmail).
	Backfill time.Duration

	Inject Injections
	// DisableDevice disables one device through the admin API before the
	// stream and keeps sending its readings, which Tend refuses.
	DisableDevice bool

	// Batch is the most readings a request carries (default: the door's
	// usual; see batchSize); a device's readings also go when FlushEvery
	// (default 1 s) has passed since it last sent.
	Batch      int
	FlushEvery time.Duration

	Concurrency int           // requests in flight (default 8)
	Timeout     time.Duration // per request (default 30 s)
	ReportEvery time.Duration // progress lines (default 10 s; negative for none)
	Out         io.Writer     // progress and summary; nil discards
	Client      *http.Client  // nil: a client with Timeout
	// Now is the clock (default time.Now): the backfill ends, and the
	// stream starts, at Now().
	Now func() time.Time
}

// Summary is what a run did.
type Summary struct {
	World    *World
	Backfill Tally
	Live     Tally
	// Disabled is the device disabled for the run, or nil.
	Disabled *Device
	// Natural is the readings per second the schedules make in real
	// time; Speed is how many times faster the simulated clock ran.
	Natural, Speed float64
	Notes          []string
}

type runner struct {
	cfg     Config
	w       *World
	web     *web
	admin   *admin
	notes   []string
	out     io.Writer
	senders map[Door]sender
	errMu   sync.Mutex
	errSeen map[string]int
}

// Run sets up the patients and devices, sends the backfill, then streams
// until the duration is over or ctx ends, printing progress and a summary
// to cfg.Out. It returns the summary; the error is for a run that could
// not start (bad settings, a setup that failed, an unreachable door), not
// for readings Tend refused.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	r, err := newRunner(cfg)
	if err != nil {
		return nil, err
	}
	s := &Summary{World: r.w}
	if err := r.prepare(ctx); err != nil {
		return nil, err
	}
	r.header()
	for _, n := range r.notes {
		fmt.Fprintln(r.out, "note:", n)
	}
	setupNotes := len(r.notes)

	if cfg.Backfill > 0 {
		if r.admin == nil {
			return nil, errors.New("--backfill needs an administrator's --token: the history is imported by a gateway account it sets up")
		}
		token, revoke, err := r.admin.gateway(ctx, r.w, cfg.Concurrency)
		if err != nil {
			return nil, err
		}
		s.Backfill = r.backfill(ctx, token)
		revoke(context.WithoutCancel(ctx))
		s.Backfill.write(r.out, fmt.Sprintf("Backfill of %s, imported over HTTP as %s", span(cfg.Backfill), GatewayEmail))
	}
	if cfg.DisableDevice {
		if r.admin == nil {
			return nil, errors.New("--disable-device needs an administrator's --token")
		}
		s.Disabled = r.chooseDisabled()
		if err := r.admin.setEnabled(ctx, s.Disabled, false); err != nil {
			return nil, err
		}
		fmt.Fprintf(r.out, "Disabled %s (id %s) through the admin API; its readings keep coming, and Tend should refuse them as \"disabled\".\n",
			s.Disabled, s.Disabled.ID)
	}
	if cfg.Live && ctx.Err() == nil {
		s.Live, s.Natural, s.Speed = r.live(ctx)
		title := fmt.Sprintf("Live stream (%s)", r.speedNote(s.Natural, s.Speed))
		s.Live.write(r.out, title)
	}
	s.Notes = r.notes
	for _, n := range r.notes[setupNotes:] {
		fmt.Fprintln(r.out, "note:", n)
	}
	return s, nil
}

func newRunner(cfg Config) (*runner, error) {
	switch {
	case cfg.URL == "":
		return nil, errors.New("give Tend's address (--url)")
	case cfg.Patients < 1:
		return nil, errors.New("simulate at least one patient (--patients)")
	case cfg.Rate < 0:
		return nil, errors.New("--rate cannot be negative")
	case cfg.Backfill < 0 || cfg.Duration < 0:
		return nil, errors.New("--backfill and --duration cannot be negative")
	case cfg.Inject.OutOfRange < 0 || cfg.Inject.OutOfRange > 1 || cfg.Inject.Gaps < 0 || cfg.Inject.Gaps > 1 ||
		cfg.Inject.Duplicates < 0 || cfg.Inject.Duplicates > 1:
		return nil, errors.New("--out-of-range, --gaps and --duplicates are fractions between 0 and 1")
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--url %q: give an http:// or https:// address", cfg.URL)
	}
	if cfg.Door == "" {
		cfg.Door = DoorHTTP
	}
	switch cfg.FHIRMode {
	case "":
		cfg.FHIRMode = FHIRBatch
	case FHIRSingle, FHIRBatch, FHIRTransaction:
	default:
		return nil, fmt.Errorf("--fhir-mode %q: use single, batch or transaction", cfg.FHIRMode)
	}
	if cfg.MQTTAddr == "" {
		cfg.MQTTAddr = net.JoinHostPort(u.Hostname(), "1883")
	}
	if cfg.MLLPAddr == "" {
		cfg.MLLPAddr = net.JoinHostPort(u.Hostname(), "2575")
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.FlushEvery <= 0 {
		cfg.FlushEvery = time.Second
	}
	if cfg.ReportEvery == 0 {
		cfg.ReportEvery = 10 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: cfg.Timeout, Transport: &http.Transport{
			Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: cfg.Concurrency * 2, IdleConnTimeout: time.Minute}}
	}
	w, err := NewWorld(cfg.Seed, cfg.Patients)
	if err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg, w: w, out: cfg.Out, senders: map[Door]sender{}, errSeen: map[string]int{}}
	if r.out == nil {
		r.out = io.Discard
	}
	r.web = &web{base: strings.TrimRight(cfg.URL, "/"), client: cfg.Client, retries: 4}
	if cfg.Token != "" {
		r.admin = &admin{web: r.web, token: cfg.Token}
	}
	return r, nil
}

// prepare sets up (or reads) the patients and devices, and picks each
// device's door.
func (r *runner) prepare(ctx context.Context) error {
	cfg := r.cfg
	switch {
	case r.admin != nil:
		if err := r.admin.setup(ctx, r.w, cfg.Concurrency); err != nil {
			return err
		}
		if cfg.DevicesFile != "" {
			if err := WriteCredentials(cfg.DevicesFile, r.web.base, r.w); err != nil {
				return fmt.Errorf("writing the devices file: %w", err)
			}
		}
	case cfg.DevicesFile != "":
		if err := ReadCredentials(cfg.DevicesFile, r.w); err != nil {
			return err
		}
	default:
		return errors.New("give an administrator's --token (to set up patients and devices) or a --devices-file from an earlier run")
	}

	reachable := map[Door]bool{DoorHTTP: true, DoorGATT: true, DoorFHIR: true}
	probe := func(d Door, addr, flag string) error {
		conn, err := net.DialTimeout("tcp", addr, 3*time.Second)
		if err != nil {
			return fmt.Errorf("the %s door at %s does not answer (set its address with %s): %w", strings.ToUpper(string(d)), addr, flag, err)
		}
		conn.Close()
		reachable[d] = true
		return nil
	}
	for _, p := range []struct {
		door       Door
		addr, flag string
	}{{DoorMQTT, cfg.MQTTAddr, "--mqtt-addr"}, {DoorMLLP, cfg.MLLPAddr, "--mllp-addr"}} {
		switch cfg.Door {
		case p.door:
			if err := probe(p.door, p.addr, p.flag); err != nil {
				return err
			}
		case DoorMixed:
			if err := probe(p.door, p.addr, p.flag); err != nil {
				r.note("%v; its devices use HTTP instead", err)
			}
		}
	}
	var fellBack []string
	for _, d := range r.w.Devices {
		door := cfg.Door
		if door == DoorMixed {
			door = mixedDoors[d.Kind]
			if !reachable[door] {
				door = DoorHTTP
			}
		}
		if !door.carries(d.Kind) {
			if !slices.Contains(fellBack, string(d.Kind)) {
				fellBack = append(fellBack, string(d.Kind))
			}
			door = DoorHTTP
		}
		d.Door = door
	}
	if len(fellBack) > 0 {
		r.note("the %s door cannot carry what a %s measures: those devices send over HTTP", cfg.Door, strings.Join(fellBack, ", "))
	}
	return nil
}

func (r *runner) note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

// header says what is simulated.
func (r *runner) header() {
	profiles := map[string]int{}
	for _, p := range r.w.Patients {
		profiles[p.Profile.Name]++
	}
	doors := map[Door]int{}
	for _, d := range r.w.Devices {
		doors[d.Door]++
	}
	var ps, ds []string
	for _, k := range slices.Sorted(maps.Keys(profiles)) {
		ps = append(ps, fmt.Sprintf("%s %d", k, profiles[k]))
	}
	for _, k := range slices.Sorted(maps.Keys(doors)) {
		ds = append(ds, fmt.Sprintf("%s %d", k, doors[k]))
	}
	fmt.Fprintf(r.out, "Simulating %d patients with %d devices against %s (seed %d).\n  profiles: %s\n  devices by door: %s\n",
		len(r.w.Patients), len(r.w.Devices), r.web.base, r.w.Seed, strings.Join(ps, ", "), strings.Join(ds, ", "))
}

// countInjected adds what the injections did to a batch of measurements.
func countInjected(c *counter, ms []Measurement, withheld int) {
	var oor, resent int64
	for _, m := range ms {
		for _, rd := range m.Readings {
			if rd.OutOfRange && !m.Resend {
				oor++
			}
		}
		if m.Resend {
			resent += int64(len(m.Readings))
		}
	}
	c.add(func(t *Tally) { t.OutOfRange += oor; t.Resent += resent; t.Withheld += int64(withheld) })
}

// backfill imports the history of every patient, a day at a time, in
// large batches.
func (r *runner) backfill(ctx context.Context, token string) Tally {
	end := r.cfg.Now()
	start := end.Add(-r.cfg.Backfill)
	c := newCounter(time.Now())
	chunk, most := batchSize(DoorHTTP)
	if r.cfg.Batch > 0 {
		chunk = min(r.cfg.Batch, most)
	}
	if r.cfg.ReportEvery > 0 {
		done, stopped := make(chan struct{}), make(chan struct{})
		defer func() { close(done); <-stopped }()
		go func() {
			defer close(stopped)
			t := time.NewTicker(r.cfg.ReportEvery)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					fmt.Fprintf(r.out, "backfill %s: %s\n", time.Since(c.start).Round(time.Second), c.snapshot(time.Now()).line())
				}
			}
		}()
	}
	each(ctx, r.cfg.Concurrency, len(r.w.Patients), func(i int) error {
		p := r.w.Patients[i]
		for from := start; from.Before(end); from = from.Add(24 * time.Hour) {
			to := from.Add(24 * time.Hour)
			if to.After(end) {
				to = end
			}
			var all []Measurement
			for _, d := range p.Devices {
				ms, withheld := d.Measure(from, to, r.cfg.Inject)
				countInjected(c, ms, withheld)
				all = append(all, ms...)
			}
			its := items(all)
			for len(its) > 0 {
				n := min(chunk, len(its))
				if err := postBatch(ctx, r.web, bearer(token), p.ID, its[:n], DoorHTTP, c); err != nil {
					r.fault("backfill", err)
					if ctx.Err() != nil {
						return nil
					}
				}
				its = its[n:]
			}
		}
		return nil
	})
	return c.snapshot(time.Now())
}

// fault remembers an error of a send; the first few of each kind are noted.
func (r *runner) fault(where string, err error) {
	msg := where + ": " + err.Error()
	r.errMu.Lock()
	defer r.errMu.Unlock()
	r.errSeen[msg]++
	if r.errSeen[msg] == 1 && len(r.errSeen) <= 10 {
		r.notes = append(r.notes, msg)
	}
}

// chooseDisabled picks the device to disable: one of those that send most
// often, so its refusals show soon; the seed says which.
func (r *runner) chooseDisabled() *Device {
	most := 0.0
	for _, d := range r.w.Devices {
		most = max(most, d.PerDay())
	}
	var top []*Device
	for _, d := range r.w.Devices {
		if d.PerDay() == most {
			top = append(top, d)
		}
	}
	return top[newKey(r.w.Seed, "disable").bits(0)%uint64(len(top))]
}

func (r *runner) sender(d Door) sender {
	if s, ok := r.senders[d]; ok {
		return s
	}
	var s sender
	switch d {
	case DoorGATT:
		s = &gattSender{web: r.web}
	case DoorFHIR:
		s = &fhirSender{web: r.web, mode: r.cfg.FHIRMode}
	case DoorMQTT:
		s = &mqttSender{addr: r.cfg.MQTTAddr, timeout: r.cfg.Timeout}
	case DoorMLLP:
		s = &mllpSender{addr: r.cfg.MLLPAddr, timeout: r.cfg.Timeout}
	default:
		s = &httpSender{web: r.web}
	}
	r.senders[d] = s
	return s
}

// naturalRate is the readings per second the devices make in real time.
func (r *runner) naturalRate(at time.Time) float64 {
	n := 0
	for _, d := range r.w.Devices {
		ms, _ := d.Measure(at, at.Add(24*time.Hour), Injections{})
		n += readingCount(ms)
	}
	return float64(n) / 86400
}

func (r *runner) speedNote(natural, speed float64) string {
	if speed == 1 {
		return fmt.Sprintf("in real time: the schedules make %.2f readings/s", natural)
	}
	return fmt.Sprintf("asked %.0f readings/s; the schedules make %.2f/s in real time, so the simulated clock ran %.4g× real time",
		r.cfg.Rate, natural, speed)
}

// span writes a duration, in days when it is whole days.
func span(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

type job struct {
	d  *Device
	ms []Measurement
}

// live streams readings as the simulated clock moves, until the duration
// is over or ctx ends; then it sends what is pending and waits for the
// answers.
func (r *runner) live(ctx context.Context) (Tally, float64, float64) {
	wStart := r.cfg.Now()
	vStart := wStart
	natural := r.naturalRate(vStart)
	speed := 1.0
	if r.cfg.Rate > 0 && natural > 0 {
		speed = r.cfg.Rate / natural
	}
	stamp := func(v time.Time) time.Time {
		return wStart.Add(time.Duration(float64(v.Sub(vStart)) / speed))
	}
	c := newCounter(time.Now())
	for _, d := range r.w.Devices {
		r.sender(d.Door)
	}

	// Sending goes on after an interrupt, to deliver what is pending; it
	// has its own context, ended if the drain takes too long.
	sendCtx, cancelSend := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSend()
	if m, ok := r.senders[DoorMQTT].(*mqttSender); ok {
		m.c = c
	}
	jobs := make(chan job) // unbuffered: at the end, only the requests in flight are left to finish
	var wg sync.WaitGroup
	for range r.cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if err := r.senders[j.d.Door].send(sendCtx, j.d, j.ms, c); err != nil {
					r.fault(string(j.d.Door), err)
				}
			}
		}()
	}

	var stop <-chan time.Time
	if r.cfg.Duration > 0 {
		stop = time.After(r.cfg.Duration)
	}
	var report <-chan time.Time
	if r.cfg.ReportEvery > 0 {
		t := time.NewTicker(r.cfg.ReportEvery)
		defer t.Stop()
		report = t.C
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	flushEvery := r.cfg.FlushEvery
	batch := map[Door]int{}
	for _, d := range r.w.Devices {
		normal, most := batchSize(d.Door)
		if r.cfg.Batch > 0 {
			normal = min(r.cfg.Batch, most)
		}
		batch[d.Door] = normal
	}
	pending := make([][]Measurement, len(r.w.Devices))
	last := make([]time.Time, len(r.w.Devices))
	vPrev := vStart
	// The simulated clock follows the real one, but a step never covers
	// more than a quarter second of it: when Tend (or the network) cannot
	// take the rate asked, the clock falls behind instead of piling up
	// readings, and the rate achieved says what Tend took.
	maxStep := time.Duration(float64(250*time.Millisecond) * speed)
	step := func(final bool) {
		wNow := r.cfg.Now()
		v := vStart.Add(time.Duration(float64(wNow.Sub(wStart)) * speed))
		switch {
		case final:
			v = vPrev // the end: send what the devices hold, measure no more
		case v.Sub(vPrev) > maxStep:
			v = vPrev.Add(maxStep)
		}
		for i, d := range r.w.Devices {
			ms, withheld := d.Measure(vPrev, v, r.cfg.Inject)
			if speed != 1 {
				for k := range ms {
					ms[k].Stamp(stamp(ms[k].At))
				}
			}
			countInjected(c, ms, withheld)
			pending[i] = append(pending[i], ms...)
			limit := batch[d.Door]
			for readingCount(pending[i]) >= limit {
				var head []Measurement
				head, pending[i] = take(pending[i], limit)
				jobs <- job{d, head}
				last[i] = wNow
			}
			if len(pending[i]) > 0 && (final || wNow.Sub(last[i]) >= flushEvery) {
				jobs <- job{d, pending[i]}
				pending[i] = nil
				last[i] = wNow
			}
		}
		vPrev = v
	}
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-stop:
			break loop
		case <-report:
			fmt.Fprintf(r.out, "live %s: %s\n", time.Since(c.start).Round(time.Second), c.snapshot(time.Now()).line())
		case <-tick.C:
			step(false)
		}
	}
	step(true)
	close(jobs)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2*r.cfg.Timeout + 10*time.Second):
		cancelSend()
		<-done
	}
	elapsed := time.Now()
	for d, s := range r.senders {
		s.close(c) // MQTT counts the answers still due
		delete(r.senders, d)
	}
	return c.snapshot(elapsed), natural, speed
}
