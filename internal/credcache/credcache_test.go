package credcache

import (
	"testing"
	"time"
)

func TestMargin(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		lifetime, want time.Duration
	}{
		{time.Hour, 15 * time.Minute},
		{6 * time.Hour, 15 * time.Minute},
		{30 * time.Minute, 15 * time.Minute},
		{15 * time.Minute, 7*time.Minute + 30*time.Second},
	} {
		if got := margin(t0, t0.Add(tc.lifetime)); got != tc.want {
			t.Errorf("margin for %s: %s, want %s", tc.lifetime, got, tc.want)
		}
	}
}
