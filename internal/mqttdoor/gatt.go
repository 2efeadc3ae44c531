package mqttdoor

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"time"

	"github.com/tend-health/tend/internal/gatt"
)

// maxExternalID bounds an external id given in an MQTT 5 user property,
// leaving room for the "#LOINC" that each item adds.
const maxExternalID = 200

// gattID is the external id of a characteristic value that carries its own
// complete time: the value's bytes then tell one reading from another.
func gattID(c gatt.Characteristic, value []byte) string {
	sum := gattSum(c, value)
	return "gatt-" + hex.EncodeToString(sum[:16])
}

func gattSum(c gatt.Characteristic, value []byte) [32]byte {
	h := sha256.New()
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], uint16(c))
	h.Write(b[:])
	h.Write(value)
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// hasDeviceTime tells whether every observation of a decoded value carries
// a complete device time, so that its bytes identify the reading.
func hasDeviceTime(res gatt.Result) bool {
	if len(res.Observations) == 0 {
		return false
	}
	for _, o := range res.Observations {
		if o.Time == nil || !o.Time.Complete() {
			return false
		}
	}
	return true
}

// recentValues remembers, for values without a device time, the id and the
// arrival time given to each value recently received from a device, so
// that a redelivery (DUP set) is recognised as the same reading.
type recentValues struct {
	mu     sync.Mutex
	window time.Duration
	max    int
	m      map[string]recentValue
}

type recentValue struct {
	id    string
	first time.Time
}

func newRecentValues(window time.Duration, max int) *recentValues {
	return &recentValues{window: window, max: max, m: map[string]recentValue{}}
}

// id returns the external id and the arrival time to use for a value
// without a device time. A redelivery within the window gets what the first
// delivery got; anything else is a new reading, with an id made from the
// value and the time it arrived.
func (r *recentValues) id(deviceID string, c gatt.Characteristic, value []byte, redelivery bool, now time.Time) (string, time.Time) {
	sum := gattSum(c, value)
	key := deviceID + "\x00" + string(sum[:])
	r.mu.Lock()
	defer r.mu.Unlock()
	if redelivery {
		if v, ok := r.m[key]; ok && now.Sub(v.first) < r.window {
			return v.id, v.first
		}
	}
	h := sha256.New()
	h.Write(sum[:])
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(now.UnixNano()))
	h.Write(b[:])
	h.Write([]byte(deviceID))
	id := "gatt-" + hex.EncodeToString(h.Sum(nil)[:16])
	if len(r.m) >= r.max {
		r.prune(now)
	}
	r.m[key] = recentValue{id: id, first: now}
	return id, now
}

// prune forgets values older than the window, and, if that is not enough,
// everything: losing the memory only risks a duplicate row for a value
// redelivered after a flood of others.
func (r *recentValues) prune(now time.Time) {
	for k, v := range r.m {
		if now.Sub(v.first) >= r.window {
			delete(r.m, k)
		}
	}
	if len(r.m) >= r.max {
		clear(r.m)
	}
}
