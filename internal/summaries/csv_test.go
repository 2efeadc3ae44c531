package summaries

import (
	"testing"

	"github.com/tend-health/tend/internal/devices"
)

func TestTextGuardsAgainstFormulas(t *testing.T) {
	for in, want := range map[string]string{
		"=SUM(A1:A9)": "'=SUM(A1:A9)", "+1": "'+1", "-2": "'-2", "@cmd": "'@cmd", "\tx": "'\tx", "\rx": "'\rx",
		"wrong arm": "wrong arm", "": "", "Nina Care": "Nina Care", "2 = 2": "2 = 2",
	} {
		if got := text(in); got != want {
			t.Errorf("text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDeviceName(t *testing.T) {
	for _, tt := range []struct {
		d    devices.Device
		want string
	}{
		{devices.Device{Label: "Kitchen cuff", Maker: "Omron", Serial: "S1"}, "Kitchen cuff (serial S1)"},
		{devices.Device{Maker: "Omron", Model: "M7", Serial: "S1"}, "Omron M7 (serial S1)"},
		{devices.Device{Maker: "Omron"}, "Omron"},
	} {
		if got := deviceName(tt.d); got != tt.want {
			t.Errorf("deviceName(%+v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestDailyMeansKeepDayOrder(t *testing.T) {
	d := newDaily()
	d.add("2026-11-02", 120, 80)
	d.add("2026-11-03", 130, 90)
	d.add("2026-11-02", 140, 70)
	var got []string
	d.each(func(key string, n int, m []float64) {
		got = append(got, key)
		if key == "2026-11-02" && (n != 2 || m[0] != 130 || m[1] != 75) {
			t.Errorf("2 November: %d readings, means %v", n, m)
		}
	})
	if len(got) != 2 || got[0] != "2026-11-02" {
		t.Errorf("days %v", got)
	}
}
