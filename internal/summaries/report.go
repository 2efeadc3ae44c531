package summaries

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/measure"
	"github.com/tend-health/tend/internal/people"
)

// ReportRequest asks for a PDF report: the summaries of a period, in the
// units the reader prefers.
type ReportRequest struct {
	Request
	GlucoseUnit string // "mg/dL" (default) or "mmol/L"
	WeightUnit  string // "kg" (default) or "[lb_av]"
}

// Report is a PDF report, made and ready to be sent.
type Report struct {
	Summary Summary
	pdf     []byte
}

// Bytes returns the PDF.
func (r *Report) Bytes() []byte { return r.pdf }

// Filename names the report after its patient's last day:
// tend-report-2026-11-22.pdf.
func (r *Report) Filename() string {
	loc := patient{r.Summary.Patient}.location()
	return "tend-report-" + r.Summary.Period.To.Add(-time.Millisecond).In(loc).Format(time.DateOnly) + ".pdf"
}

// Report makes the PDF report of a patient's summaries: who, which
// period, and each summary in figures and in a chart, for the patient to
// take to an appointment or a clinician to file.
func (s *Service) Report(ctx context.Context, viewer people.Principal, req ReportRequest) (*Report, error) {
	units := reportUnits{glucose: req.GlucoseUnit, weight: req.WeightUnit}
	if units.glucose == "" {
		units.glucose = "mg/dL"
	}
	if units.weight == "" {
		units.weight = "kg"
	}
	if units.glucose != "mg/dL" && units.glucose != "mmol/L" {
		return nil, errs.Field("glucoseUnit", "glucose is shown in mg/dL or mmol/L, not %q", req.GlucoseUnit)
	}
	if units.weight != "kg" && units.weight != "[lb_av]" {
		return nil, errs.Field("weightUnit", "weight is shown in kg or [lb_av] (pounds), not %q", req.WeightUnit)
	}
	sum, err := s.Summarize(ctx, viewer, req.Request)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeReport(&buf, sum, units, viewer.Name); err != nil {
		return nil, errs.Wrap(err, "making the PDF report")
	}
	return &Report{Summary: sum, pdf: buf.Bytes()}, nil
}

type reportUnits struct{ glucose, weight string }

// glucose converts mg/dL to the report's unit.
func (u reportUnits) g(mgdl float64) float64 {
	if u.glucose == "mg/dL" {
		return mgdl
	}
	v, _ := measure.Convert(mgdl, "mg/dL", u.glucose)
	return v
}

func (u reportUnits) gText(mgdl float64) string {
	if u.glucose == "mg/dL" {
		return fmt.Sprintf("%.0f", mgdl)
	}
	return fmt.Sprintf("%.1f", u.g(mgdl))
}

func (u reportUnits) w(kg float64) float64 {
	if u.weight == "kg" {
		return kg
	}
	v, _ := measure.Convert(kg, "kg", u.weight)
	return v
}

func (u reportUnits) wName() string {
	if u.weight == "kg" {
		return "kg"
	}
	return "lb"
}

// The page, in millimetres.
const (
	pageW, pageH = 210.0, 297.0
	margin       = 15.0
	contentW     = pageW - 2*margin
)

// colours, as RGB.
type rgb struct{ r, g, b int }

var (
	ink       = rgb{33, 37, 41}
	muted     = rgb{100, 106, 115}
	rule      = rgb{206, 212, 218}
	systolicC = rgb{201, 42, 42}
	diastolC  = rgb{25, 113, 194}
	weightC   = rgb{95, 61, 196}
	bandOuter = rgb{165, 216, 255}
	bandInner = rgb{77, 171, 247}
	medianC   = rgb{24, 100, 171}
	targetC   = rgb{47, 158, 68}
	veryHighC = rgb{230, 119, 0}
	highC     = rgb{255, 192, 120}
	inRangeC  = rgb{64, 192, 87}
	lowC      = rgb{250, 82, 82}
	veryLowC  = rgb{165, 29, 42}
)

// doc wraps fpdf with the report's few habits.
type doc struct {
	*fpdf.Fpdf
	tr  func(string) string
	loc *time.Location
}

func (d *doc) color(c rgb)     { d.SetTextColor(c.r, c.g, c.b) }
func (d *doc) drawColor(c rgb) { d.SetDrawColor(c.r, c.g, c.b) }
func (d *doc) fillColor(c rgb) { d.SetFillColor(c.r, c.g, c.b) }

// text writes UTF-8 text in the core fonts' Windows-1252, after spelling
// out the few signs that encoding lacks.
func (d *doc) t(s string) string {
	return d.tr(strings.NewReplacer("≤", "<=", "≥", ">=", "−", "-", "→", "->").Replace(s))
}

func (d *doc) font(style string, size float64) { d.SetFont("Helvetica", style, size) }

// line writes one line of text across the content width.
func (d *doc) line(h float64, style string, size float64, c rgb, s string) {
	d.font(style, size)
	d.color(c)
	d.CellFormat(contentW, h, d.t(s), "", 1, "L", false, 0, "")
}

// para writes a wrapped paragraph.
func (d *doc) para(size float64, c rgb, s string) {
	d.font("", size)
	d.color(c)
	d.MultiCell(contentW, size*0.45, d.t(s), "", "L", false)
}

// room starts a new page unless h millimetres fit above the footer.
func (d *doc) room(h float64) {
	if d.GetY()+h > pageH-margin-8 {
		d.AddPage()
	}
}

func (d *doc) heading(s string) {
	d.room(40)
	d.Ln(3)
	d.line(8, "B", 14, ink, s)
	d.drawColor(rule)
	d.SetLineWidth(0.3)
	y := d.GetY()
	d.Line(margin, y, pageW-margin, y)
	d.Ln(2)
}

func (d *doc) day(t time.Time) string { return t.In(d.loc).Format("2 Jan 2006") }

// periodText is a period as a reader says it: 9 Nov 2026 – 22 Nov 2026.
func (d *doc) periodText(p Period) string {
	return d.day(p.From) + " – " + d.day(p.To.Add(-time.Millisecond))
}

func writeReport(w *bytes.Buffer, s Summary, u reportUnits, madeFor string) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, margin+8)
	pdf.SetTitle("Tend report: "+s.Patient.Name, true)
	pdf.SetAuthor("Tend", true)
	pdf.SetCreator("Tend", true)
	pdf.SetCreationDate(s.GeneratedAt)
	pdf.SetModificationDate(s.GeneratedAt)
	pdf.AliasNbPages("{pages}")
	d := &doc{Fpdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor(""), loc: patient{s.Patient}.location()}
	pdf.SetFooterFunc(func() {
		d.SetY(pageH - margin - 2)
		d.font("", 8)
		d.color(muted)
		made := fmt.Sprintf("Made by Tend on %s", s.GeneratedAt.In(d.loc).Format("2 Jan 2006 15:04 MST"))
		if madeFor != "" {
			made += " for " + madeFor
		}
		d.CellFormat(contentW/2, 4, d.t(made), "", 0, "L", false, 0, "")
		d.CellFormat(contentW/2, 4, d.t(fmt.Sprintf("%s · page %d of {pages}", s.Patient.Name, d.PageNo())), "", 0, "R", false, 0, "")
	})
	d.AddPage()

	// Who and when.
	d.line(10, "B", 20, ink, "Home readings report")
	d.line(8, "B", 13, ink, s.Patient.Name)
	var who []string
	if s.Patient.BirthDate != "" {
		if b, err := time.Parse(time.DateOnly, s.Patient.BirthDate); err == nil {
			who = append(who, "Born "+b.Format("2 Jan 2006"))
		}
	}
	if s.Patient.MRN != "" {
		who = append(who, "MRN "+s.Patient.MRN)
	}
	if len(who) > 0 {
		d.line(6, "", 10, muted, strings.Join(who, " · "))
	}
	d.line(6, "", 10, ink, fmt.Sprintf("Period: %s (%d days); times in %s", d.periodText(s.Period), s.Days, s.Patient.TimeZone))
	d.Ln(1)
	d.para(8.5, muted, "Figures from the readings recorded in Tend by the patient's devices and by people; readings marked "+
		"entered in error are left out. Each part says how many readings it rests on. This report does not make a diagnosis.")

	d.bloodPressure(s.BloodPressure)
	d.glucose(s.Glucose, u)
	d.weight(s.Weight, u)

	return pdf.Output(w)
}

func (d *doc) note(s string) {
	if s != "" {
		d.Ln(1)
		d.para(9, rgb{156, 54, 0}, s)
	}
}

// row writes one row of a table of cells.
func (d *doc) row(widths []float64, style string, cells ...string) {
	d.font(style, 9.5)
	d.color(ink)
	for i, c := range cells {
		align := "L"
		if i > 0 {
			align = "R"
		}
		d.CellFormat(widths[i], 6, d.t(c), "B", 0, align, false, 0, "")
	}
	d.Ln(-1)
}

func (d *doc) bloodPressure(bp BloodPressure) {
	d.heading("Blood pressure at home")
	d.para(9.5, muted, fmt.Sprintf("The last seven days, %s: %s on %s. Held against the %s.",
		d.periodText(bp.Period), plural(bp.Readings, "reading"), plural(bp.Days, "day"), bp.Threshold.Source))
	if bp.Readings == 0 {
		d.note(bp.Note)
		return
	}
	d.Ln(1)
	widths := []float64{70, 40, 30, 40}
	d.drawColor(rule)
	d.row(widths, "B", "", "Mean (mmHg)", "Readings", "vs 135/85")
	for _, m := range []BPMean{bp.All, bp.Morning, bp.Evening} {
		mean, verdict := "—", "—"
		if m.Systolic != nil {
			mean = fmt.Sprintf("%.0f/%.0f", *m.Systolic, *m.Diastolic)
			verdict = "below"
			if m.ReachesThreshold {
				verdict = "at or above"
			}
		}
		d.row(widths, "", m.Label, mean, fmt.Sprint(m.Count), verdict)
	}
	d.note(bp.Note)
	if len(bp.Trend) > 0 {
		d.Ln(2)
		d.room(62)
		d.line(5, "B", 10, ink, "Daily means over the period")
		c := d.chart(margin, d.GetY()+1, contentW, 50)
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, p := range bp.Trend {
			lo, hi = min(lo, p.Diastolic), max(hi, p.Systolic)
		}
		d.dayAxis(c, bp.Trend[0].Date, bp.Trend[len(bp.Trend)-1].Date)
		c.y0, c.y1 = math.Floor(min(lo, 60)/20)*20, math.Ceil(max(hi, 160)/20)*20
		c.grid(20, "%.0f")
		c.hline(bp.Threshold.Systolic, systolicC, true)
		c.hline(bp.Threshold.Diastolic, diastolC, true)
		var sys, dia []pt
		for _, p := range bp.Trend {
			x := d.dayX(p.Date)
			sys, dia = append(sys, pt{x, p.Systolic}), append(dia, pt{x, p.Diastolic})
		}
		c.series(sys, systolicC)
		c.series(dia, diastolC)
		c.legend([]string{"Systolic", "Diastolic", "Threshold (dashed)"}, []rgb{systolicC, diastolC, muted})
	}
}

func pct(p *float64) string {
	if p == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f %%", *p)
}

func (d *doc) glucose(g Glucose, u reportUnits) {
	d.heading("Glucose")
	if g.Readings == 0 {
		d.para(9.5, muted, fmt.Sprintf("%s: no readings.", d.periodText(g.Period)))
		d.note(g.Note)
		return
	}
	d.para(9.5, muted, fmt.Sprintf("%s: %s, a reading in %.0f %% of the 5-minute slots. Targets for %s.",
		d.periodText(g.Period), plural(g.Readings, "reading"), math.Floor(g.Active), g.Targets.Name))
	d.Ln(1)
	d.room(70)
	top := d.GetY()
	// Figures on the left, the time-in-ranges bar on the right.
	widths := []float64{70, 40}
	d.drawColor(rule)
	figures := [][2]string{
		{"Mean glucose", fmt.Sprintf("%s %s", u.gText(*g.Mean), u.glucose)},
		{"Coefficient of variation", pct(g.CV)},
		{"Standard deviation", fmt.Sprintf("%s %s", u.gText(*g.SD), u.glucose)},
	}
	if g.GMI != nil {
		figures = append(figures, [2]string{"Glucose management indicator", pct(g.GMI)})
	}
	for _, f := range figures {
		d.row(widths, "", f[0], f[1])
	}
	d.Ln(2)
	d.line(5, "B", 9.5, ink, "Consensus targets")
	cw := []float64{70, 20, 20}
	for _, c := range g.Checks {
		verdict := "not met"
		if c.Met {
			verdict = "met"
		}
		d.row(cw, "", c.Name, fmt.Sprintf("%.1f %%", c.Value), verdict)
	}
	bottom := d.GetY()
	d.rangesBar(g, u, 135, top)
	d.SetY(max(bottom, top+barH+6))
	d.note(g.Note)

	d.Ln(2)
	d.room(80)
	d.line(5, "B", 10, ink, "Ambulatory glucose profile: each hour of the day, over the period")
	c := d.chart(margin, d.GetY()+1, contentW, 62)
	c.x0, c.x1 = 0, 24
	hi := 300.0
	for _, h := range g.Profile {
		if h.P95 != nil {
			hi = max(hi, *h.P95)
		}
	}
	c.y0, c.y1 = 0, u.g(math.Ceil(hi/50)*50)
	step := 50.0
	format := "%.0f"
	if u.glucose == "mmol/L" {
		step, format = 3, "%.0f"
	}
	c.grid(step, format)
	for h := 0; h <= 24; h += 3 {
		c.xLabel(float64(h), fmt.Sprintf("%02d:00", h%24))
	}
	c.hline(u.g(g.Targets.Low), targetC, false)
	c.hline(u.g(g.Targets.High), targetC, false)
	// The bands, drawn over each run of hours that have readings.
	var run []Hour
	flush := func() {
		if len(run) > 0 {
			c.band(run, func(h Hour) (float64, float64) { return u.g(*h.P5), u.g(*h.P95) }, bandOuter)
			c.band(run, func(h Hour) (float64, float64) { return u.g(*h.P25), u.g(*h.P75) }, bandInner)
			var med []pt
			for _, h := range run {
				med = append(med, pt{float64(h.Hour) + 0.5, u.g(*h.P50)})
			}
			c.series(med, medianC)
		}
		run = run[:0]
	}
	for _, h := range g.Profile {
		if h.Count == 0 {
			flush()
			continue
		}
		run = append(run, h)
	}
	flush()
	c.legend([]string{"Median", "25th–75th percentile", "5th–95th percentile",
		fmt.Sprintf("Target %s–%s %s", u.gText(g.Targets.Low), u.gText(g.Targets.High), u.glucose)},
		[]rgb{medianC, bandInner, bandOuter, targetC})
}

// rangesBar draws the share of readings in each range as one stacked bar,
// very high on top, with the shares beside it.
// barH is the height of the time-in-ranges bar.
const barH = 58.0

func (d *doc) rangesBar(g Glucose, u reportUnits, x, y float64) {
	const h = barH
	parts := []struct {
		label string
		share float64
		c     rgb
	}{
		{fmt.Sprintf("Very high > %s", u.gText(g.Targets.VeryHigh)), *g.VeryHigh, veryHighC},
		{fmt.Sprintf("High %s–%s", u.gText(g.Targets.High+1), u.gText(g.Targets.VeryHigh)), *g.Above - *g.VeryHigh, highC},
		{fmt.Sprintf("In range %s–%s", u.gText(g.Targets.Low), u.gText(g.Targets.High)), *g.InRange, inRangeC},
		{fmt.Sprintf("Low %s–%s", u.gText(g.Targets.VeryLow), u.gText(g.Targets.Low-1)), *g.Below - *g.VeryLow, lowC},
		{fmt.Sprintf("Very low < %s", u.gText(g.Targets.VeryLow)), *g.VeryLow, veryLowC},
	}
	barW := 10.0
	top := y
	for _, p := range parts {
		ph := h * p.share / 100
		d.fillColor(p.c)
		if ph > 0 {
			d.Rect(x, top, barW, ph, "F")
		}
		top += ph
	}
	d.drawColor(rule)
	d.Rect(x, y, barW, h, "D")
	// Labels evenly spaced beside the bar, in the same order.
	d.font("", 8.5)
	for i, p := range parts {
		ly := y + 4 + float64(i)*h/5
		d.fillColor(p.c)
		d.Rect(x+barW+2, ly-2.5, 3, 3, "F")
		d.color(ink)
		d.Text(x+barW+6.5, ly, d.t(fmt.Sprintf("%s: %.1f %%", p.label, p.share)))
	}
	d.color(muted)
	d.Text(x, y+h+4, d.t("Time in ranges, "+u.glucose))
}

func (d *doc) weight(wt Weight, u reportUnits) {
	d.heading("Weight")
	d.para(9.5, muted, fmt.Sprintf("%s: %s.", d.periodText(wt.Period), plural(wt.Readings, "weighing")))
	if wt.Readings == 0 {
		d.note(wt.Note)
		return
	}
	d.Ln(1)
	name := u.wName()
	widths := []float64{70, 40}
	d.drawColor(rule)
	d.row(widths, "", "First, "+d.day(wt.First.At), fmt.Sprintf("%.1f %s", u.w(wt.First.Value), name))
	d.row(widths, "", "Latest, "+d.day(wt.Latest.At), fmt.Sprintf("%.1f %s", u.w(wt.Latest.Value), name))
	if wt.Change != nil {
		d.row(widths, "", "Change", fmt.Sprintf("%+.1f %s (%+.1f %%)", u.w(*wt.Change), name, *wt.ChangePercent))
	}
	if wt.PerWeek != nil {
		d.row(widths, "", "Trend per week", fmt.Sprintf("%+.2f %s", u.w(*wt.PerWeek), name))
	}
	d.note(wt.Note)
	if len(wt.Daily) > 1 {
		d.Ln(2)
		d.room(52)
		c := d.chart(margin, d.GetY()+1, contentW, 40)
		d.dayAxis(c, wt.Daily[0].Date, wt.Daily[len(wt.Daily)-1].Date)
		lo, hi := math.Inf(1), math.Inf(-1)
		var pts []pt
		for _, p := range wt.Daily {
			v := u.w(p.Mean)
			lo, hi = min(lo, v), max(hi, v)
			pts = append(pts, pt{d.dayX(p.Date), v})
		}
		step := niceStep(hi - lo)
		c.y0, c.y1 = math.Floor(lo/step)*step-step, math.Ceil(hi/step)*step+step
		c.grid(step, stepFormat(step))
		c.series(pts, weightC)
		c.legend([]string{"Daily mean weight, " + name}, []rgb{weightC})
	}
}

// niceStep picks a grid step of 1, 2 or 5 times a power of ten that
// divides a span into a few lines.
func niceStep(span float64) float64 {
	if span <= 0 {
		return 0.5
	}
	raw := span / 4
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

func stepFormat(step float64) string {
	if step < 1 {
		return "%.1f"
	}
	return "%.0f"
}

// dayX places a calendar day (YYYY-MM-DD) on a chart's x axis, in days
// since the Unix epoch, at the day's middle.
func (d *doc) dayX(date string) float64 {
	t, _ := time.Parse(time.DateOnly, date)
	return float64(t.Unix())/86400 + 0.5
}

// dayAxis sets a chart's x axis to the days from first to last and labels
// it.
func (d *doc) dayAxis(c *chart, first, last string) {
	x0, x1 := d.dayX(first)-0.5, d.dayX(last)+0.5
	c.x0, c.x1 = x0, x1
	days := int(math.Round(x1 - x0))
	every := max(1, int(math.Ceil(float64(days)/8)))
	for i := 0; i < days; i += every {
		x := x0 + float64(i) + 0.5
		c.xLabel(x, time.Unix(int64((x-0.5)*86400), 0).UTC().Format("2 Jan"))
	}
}

type pt struct{ x, y float64 }

// chart is a plotting area on the page and the data ranges it shows.
type chart struct {
	d              *doc
	x, y, w, h     float64
	x0, x1, y0, y1 float64
}

func (d *doc) chart(x, y, w, h float64) *chart {
	const left = 12 // room for the y labels
	c := &chart{d: d, x: x + left, y: y, w: w - left, h: h}
	d.SetY(y + h + 12)
	return c
}

func (c *chart) px(x float64) float64 { return c.x + (x-c.x0)/(c.x1-c.x0)*c.w }
func (c *chart) py(y float64) float64 { return c.y + c.h - (y-c.y0)/(c.y1-c.y0)*c.h }

// grid draws the frame, horizontal lines every step with labels, and the
// x labels given so far.
func (c *chart) grid(step float64, format string) {
	d := c.d
	d.SetLineWidth(0.2)
	d.drawColor(rule)
	d.SetDashPattern(nil, 0)
	d.font("", 7.5)
	d.color(muted)
	for v := math.Ceil(c.y0/step) * step; v <= c.y1+1e-9; v += step {
		y := c.py(v)
		d.Line(c.x, y, c.x+c.w, y)
		label := fmt.Sprintf(format, v)
		d.Text(c.x-1.5-d.GetStringWidth(label), y+1, label)
	}
	d.Rect(c.x, c.y, c.w, c.h, "D")
}

// xLabel writes a label under the x axis, with a tick.
func (c *chart) xLabel(x float64, label string) {
	d := c.d
	px := c.px(x)
	d.SetLineWidth(0.2)
	d.drawColor(rule)
	d.Line(px, c.y+c.h, px, c.y+c.h+1.2)
	d.font("", 7.5)
	d.color(muted)
	d.Text(px-d.GetStringWidth(label)/2, c.y+c.h+4.5, d.t(label))
}

// hline draws a horizontal reference line across the chart.
func (c *chart) hline(v float64, col rgb, dashed bool) {
	if v < c.y0 || v > c.y1 {
		return
	}
	d := c.d
	d.SetLineWidth(0.4)
	d.drawColor(col)
	if dashed {
		d.SetDashPattern([]float64{1.5, 1.2}, 0)
	}
	d.Line(c.x, c.py(v), c.x+c.w, c.py(v))
	d.SetDashPattern(nil, 0)
}

// series draws a line through the points, with a dot on each.
func (c *chart) series(pts []pt, col rgb) {
	d := c.d
	d.SetLineWidth(0.6)
	d.drawColor(col)
	d.fillColor(col)
	for i, p := range pts {
		if i > 0 {
			d.Line(c.px(pts[i-1].x), c.py(pts[i-1].y), c.px(p.x), c.py(p.y))
		}
		d.Circle(c.px(p.x), c.py(p.y), 0.6, "F")
	}
}

// band fills the area between two percentiles over a run of hours, each
// hour drawn across its whole width.
func (c *chart) band(run []Hour, bounds func(Hour) (float64, float64), col rgb) {
	var upper, lower []fpdf.PointType
	for _, h := range run {
		lo, hi := bounds(h)
		for _, x := range []float64{float64(h.Hour), float64(h.Hour) + 1} {
			upper = append(upper, fpdf.PointType{X: c.px(x), Y: c.py(min(hi, c.y1))})
			lower = append(lower, fpdf.PointType{X: c.px(x), Y: c.py(max(lo, c.y0))})
		}
	}
	for i := len(lower) - 1; i >= 0; i-- {
		upper = append(upper, lower[i])
	}
	c.d.fillColor(col)
	c.d.Polygon(upper, "F")
}

// legend writes coloured keys under the chart's x labels.
func (c *chart) legend(labels []string, cols []rgb) {
	d := c.d
	x := c.x
	y := c.y + c.h + 9.5
	d.font("", 8)
	for i, l := range labels {
		d.fillColor(cols[i])
		d.Rect(x, y-2.4, 3, 3, "F")
		d.color(ink)
		d.Text(x+4, y, d.t(l))
		x += 4 + d.GetStringWidth(d.t(l)) + 6
	}
}
