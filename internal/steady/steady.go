// Package steady is, for benchmarks, the check that a call costs as much
// after many calls in one process as at the start. State that grows with
// every call (a list never emptied, a slice re-sorted on each add) shows as
// a last stretch slower than the first, and as heap kept per call.
package steady

import (
	"runtime"
	"testing"
	"time"
)

// Calls is how many calls a round makes; the first and the last Window of
// them are timed.
const (
	Calls  = 100_000
	Window = 10_000
)

// Bench calls f Calls times in each of b.N rounds and reports the mean cost
// of a call over the first and the last Window calls (first-ns/call,
// last-ns/call) and their ratio (last/first), the heap still in use per call
// after the round (kept-B/call), and ns/op per call over the whole round.
func Bench(b *testing.B, f func(i int)) {
	var first, last, all time.Duration
	var kept float64
	for range b.N {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		var firstEnd, lastStart time.Duration
		start := time.Now()
		for i := range Calls {
			switch i {
			case Window:
				firstEnd = time.Since(start)
			case Calls - Window:
				lastStart = time.Since(start)
			}
			f(i)
		}
		round := time.Since(start)
		first += firstEnd
		last += round - lastStart
		all += round
		runtime.GC()
		runtime.ReadMemStats(&after)
		kept += (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / Calls
	}
	n := float64(b.N)
	b.ReportMetric(float64(first.Nanoseconds())/n/Window, "first-ns/call")
	b.ReportMetric(float64(last.Nanoseconds())/n/Window, "last-ns/call")
	b.ReportMetric(float64(last)/float64(first), "last/first")
	b.ReportMetric(kept/n, "kept-B/call")
	b.ReportMetric(float64(all.Nanoseconds())/n/Calls, "ns/op")
}
