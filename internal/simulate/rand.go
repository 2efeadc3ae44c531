package simulate

import (
	"hash/fnv"
	"math"
)

// Everything the simulator makes up comes from hashing: a value is a pure
// function of the seed, the thing it belongs to (a patient, a device, a
// stream) and the moment. So the same seed gives the same readings
// whatever the door, the rate, the batch sizes or the order of sending,
// and any moment can be computed without computing the ones before it.

// mix is SplitMix64's finaliser: it spreads every input bit over the output.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// key names a random stream: a seed and a label, such as a device's serial
// and what is being drawn.
type key uint64

func newKey(seed int64, parts ...string) key {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return key(mix(uint64(seed) ^ h.Sum64()))
}

// with derives a sub-stream.
func (k key) with(label string) key {
	h := fnv.New64a()
	h.Write([]byte(label))
	return key(mix(uint64(k) ^ h.Sum64()))
}

// bits returns 64 random bits for the integer n (a time, a day number, an
// index) in the stream.
func (k key) bits(n int64) uint64 {
	return mix(uint64(k) + mix(uint64(n)+0x9e3779b97f4a7c15))
}

// unit returns a number uniform in [0, 1).
func (k key) unit(n int64) float64 {
	return float64(k.bits(n)>>11) / (1 << 53)
}

// between returns a number uniform in [lo, hi).
func (k key) between(n int64, lo, hi float64) float64 {
	return lo + (hi-lo)*k.unit(n)
}

// normal returns a standard normal number (Box–Muller).
func (k key) normal(n int64) float64 {
	u1 := (float64(k.bits(n)>>11) + 0.5) / (1 << 53)
	u2 := k.with("normal").unit(n)
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// smooth returns noise that varies smoothly in t (seconds), with about one
// independent value per period: normal values on a lattice, joined by a
// cosine curve. Its values are roughly standard normal.
func (k key) smooth(t float64, period float64) float64 {
	x := t / period
	i := math.Floor(x)
	f := x - i
	a, b := k.normal(int64(i)), k.normal(int64(i)+1)
	w := (1 - math.Cos(f*math.Pi)) / 2
	// The mixture of two independent normals has a smaller spread in
	// between lattice points; scale it back up.
	return (a*(1-w) + b*w) / math.Sqrt((1-w)*(1-w)+w*w)
}
