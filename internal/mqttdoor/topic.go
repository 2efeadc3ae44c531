package mqttdoor

import "strings"

// topicPrefix starts every device's branch of the topic tree.
const topicPrefix = "tend/devices/"

// The leaves of a device's branch.
const (
	leafReadings = "readings"
	leafGATT     = "gatt"
	leafResults  = "results"
)

// kind is what a topic under a device's branch is for.
type kind int

const (
	kindOther    kind = iota // under the branch, but nothing the door knows
	kindReadings             // tend/devices/{id}/readings
	kindGATT                 // tend/devices/{id}/gatt/{characteristic}
	kindResults              // tend/devices/{id}/results
)

// route is a topic taken apart.
type route struct {
	kind kind
	// characteristic is the last level of a gatt topic, as sent.
	characteristic string
}

// ownBranch returns the rest of topic after the branch of deviceID, and
// whether the topic (or filter) lies in that branch. A filter whose device
// level is a wildcard is not in any one device's branch.
func ownBranch(topic, deviceID string) (string, bool) {
	if deviceID == "" || strings.ContainsAny(deviceID, "/+#") {
		return "", false
	}
	rest, ok := strings.CutPrefix(topic, topicPrefix+deviceID+"/")
	return rest, ok && rest != ""
}

// parseTopic reads a topic a device published to. ok is false when the
// topic is outside the device's branch.
func parseTopic(topic, deviceID string) (r route, ok bool) {
	rest, ok := ownBranch(topic, deviceID)
	if !ok {
		return route{}, false
	}
	switch {
	case rest == leafReadings:
		return route{kind: kindReadings}, true
	case rest == leafResults:
		return route{kind: kindResults}, true
	case strings.HasPrefix(rest, leafGATT+"/"):
		c := strings.TrimPrefix(rest, leafGATT+"/")
		if c == "" || strings.Contains(c, "/") {
			return route{kind: kindOther}, true
		}
		return route{kind: kindGATT, characteristic: c}, true
	}
	return route{kind: kindOther}, true
}

// mayPublish tells whether a device may publish to topic: anywhere in its
// own branch except its results, which only the door writes.
func mayPublish(topic, deviceID string) bool {
	r, ok := parseTopic(topic, deviceID)
	return ok && r.kind != kindResults
}

// maySubscribe tells whether a device may subscribe to filter: only
// within its own branch.
func maySubscribe(filter, deviceID string) bool {
	_, ok := ownBranch(filter, deviceID)
	return ok
}

// resultsTopic is where the door answers a device.
func resultsTopic(deviceID string) string {
	return topicPrefix + deviceID + "/" + leafResults
}
