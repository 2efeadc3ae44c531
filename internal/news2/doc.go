// Package news2 computes the National Early Warning Score 2 (Royal College
// of Physicians, 2017) from one set of observations.
//
// Score takes up to seven observations (respiratory rate, oxygen saturation
// on scale 1 or 2, air or supplemental oxygen, systolic blood pressure,
// pulse, consciousness on the ACVPU scale and temperature) and returns the
// points of each, their sum, whether any single parameter scored 3, the
// clinical risk band and the response the RCP chart asks for.
//
// # Missing observations
//
// Every observation is optional. A missing one scores nothing and is listed
// in Result.Missing, and Result.Partial is set: the total of a partial set
// can only be lower than the full score would be, so a partial result must
// be shown as such and never read as reassurance. The risk band is still
// given, from the parameters that were scored. On scale 2 a saturation of
// 93 % or more scores differently on air and on oxygen; if it is not known
// which, the saturation cannot be scored and is listed as missing too.
//
// # Values between the chart's numbers
//
// The chart is written in whole numbers, and in tenths of a degree for
// temperature, with no gaps between its bands (20, then 21–24). Values are
// therefore first rounded to that resolution, half away from zero, as a
// nurse would write them on the chart, and then scored: a respiratory rate
// of 20.5 counts as 21 (2 points) and 20.4 as 20 (0 points); a temperature
// of 36.05 °C counts as 36.1 (0 points), 35.04 as 35.0 (3 points). Ties are
// decided on the decimal value as written, so the binary representation of
// 36.05, a hair below it, does not turn it into 36.0.
//
// Observations are taken in their NEWS2 units (breaths and beats per minute,
// %, mmHg, °C); converting them, and refusing implausible values, is the
// job of the measurement catalogue before they arrive here. Score refuses
// only what cannot be scored at all: negative or non-finite numbers, a
// saturation above 100 %, an unknown scale or consciousness level.
//
// Thresholds here are the RCP's fixed chart; they are not configurable,
// because a modified chart is no longer NEWS2.
package news2
