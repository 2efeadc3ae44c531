// Package clinical holds the guideline thresholds Tend applies to readings
// and the summaries a clinician reads over many of them.
//
//   - Office blood pressure categories of the ACC/AHA 2017 and ESC/ESH 2018
//     guidelines, the hypertensive crisis, and the out-of-office thresholds
//     (home 135/85, 24-hour ambulatory 130/80 mmHg).
//   - Glucose levels of the ADA Standards of Care: hypoglycaemia level 1
//     and 2, and the two hyperglycaemia levels used for continuous glucose
//     monitoring (CGM). Level 3 hypoglycaemia is a clinical event, not a
//     number, so no reading is classified as level 3.
//   - A CGM summary against the 2019 international consensus targets,
//     with a data-sufficiency rule the caller chooses.
//   - A home blood pressure summary over the last seven days, split into
//     morning and evening, with the ESH's rule for enough readings.
//   - An ambulatory glucose profile: percentiles of glucose per hour of the
//     patient's day, and the glucose management indicator (GMI).
//   - A weight trend: change over a period and a weekly rate fitted to
//     every reading.
//
// Blood pressure is taken in mmHg and glucose in mg/dL, the canonical units
// of the measurement catalogue (package measure), which converts and checks
// readings before they reach here.
//
// # Values between the guidelines' numbers
//
// The guidelines write their categories in whole mmHg and mg/dL ("120–129",
// ">180", "<70"). A value is therefore rounded to a whole number, half up,
// before it is compared, so that every value falls in exactly one category
// and none falls in a gap between 129 and 130: 129.4 mmHg is 129 (elevated),
// 129.5 is 130 (stage 1), 180.4 is 180 and not yet a crisis. This matters
// most for averages: a home mean of 134.6/84.2 mmHg counts as 135/84 and so
// reaches the home threshold. Means and percentages are reported unrounded;
// round them only for display. The classifying functions expect finite
// numbers; a NaN falls in the highest category, never a reassuring one.
//
// The package is pure logic: no I/O, no clock (callers pass "now"), safe for
// concurrent use.
package clinical
