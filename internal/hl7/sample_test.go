package hl7

import "strings"

// sampleLines is the PCD-01 sample of standards.md §3, one segment a line.
var sampleLines = []string{
	`MSH|^~\&|GW^0123456789ABCDEF^EUI-64||EHR||20261122103000+0000||ORU^R01^ORU_R01|MSG00001|P|2.6|||NE|AL||UNICODE UTF-8|||IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO`,
	`PID|||12345^^^HOSP^PI||DOE^JOHN^^^^^L`,
	`PV1||I|ICU^^BED1`,
	`OBR|1|MSG00001^GW^0123456789ABCDEF^EUI-64|MSG00001^GW^0123456789ABCDEF^EUI-64|182777000^monitoring of patient^SCT|||20261122103000+0000`,
	`OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X|||||||0123456789ABCDEF^EUI-64`,
	`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R|||20261122103000+0000`,
	`OBX|3|NM|149530^MDC_PULS_OXIM_PULS_RATE^MDC|1.1.1.2|72|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||20261122103000+0000`,
	`OBX|4|NM|150021^MDC_PRESS_BLD_NONINV_SYS^MDC|1.2.1.1|128|266016^MDC_DIM_MMHG^MDC|||||R|||20261122103000+0000`,
	`OBX|5|NM|150022^MDC_PRESS_BLD_NONINV_DIA^MDC|1.2.1.2|82|266016^MDC_DIM_MMHG^MDC|||||R|||20261122103000+0000`,
	`OBX|6|NM|150023^MDC_PRESS_BLD_NONINV_MEAN^MDC|1.2.1.3|97|266016^MDC_DIM_MMHG^MDC|||||R|||20261122103000+0000`,
}

// sample is the sample message as it goes on the wire: each segment ended
// by CR.
var sample = strings.Join(sampleLines, "\r") + "\r"

// sampleACK is the acknowledgement of standards.md §3.
const sampleACK = "MSH|^~\\&|EHR||GW^0123456789ABCDEF^EUI-64||20261122103001+0000||ACK^R01^ACK|ACK00001|P|2.6\r" +
	"MSA|AA|MSG00001\r"

// withLine returns the sample with segment i (0-based) replaced by line.
func withLine(i int, line string) string {
	l := append([]string(nil), sampleLines...)
	l[i] = line
	return strings.Join(l, "\r") + "\r"
}

// withExtra returns the sample with more segments appended.
func withExtra(lines ...string) string {
	return sample + strings.Join(lines, "\r") + "\r"
}
