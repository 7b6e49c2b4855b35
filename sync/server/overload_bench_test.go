package server_test

import (
	"bufio"
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
)

// peakRSS returns the process's peak resident memory since the last
// resetPeakRSS, in bytes (Linux; 0 elsewhere).
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// resetPeakRSS starts peakRSS again from the current resident memory.
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// BenchmarkVerifyFlood: 32 portal clients at once, each checking PINs in a
// loop (4 each per op, 128 checks), at the desks' real cost (argon2id,
// 64 MiB, 2 lanes), with the default slots and queue ("limited", the
// buckets out of the way) and with none ("unlimited", as before the
// limits). It reports the checks answered a second, the 503s, the
// latency of the answered checks (p50, p95, max) and the process's peak
// resident memory.
func BenchmarkVerifyFlood(b *testing.B) {
	const clients, each = 32, 4
	s, err := boltstore.Open(filepath.Join(b.TempDir(), "centrale.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	env := testenv.New(b, s)
	env.Server.Verifier.Params = pinsede.DefaultPINParams
	var evs []pinsede.Event
	for i := range clients {
		h, err := pinsede.HashSecret([]byte(floodPIN), pinsede.DefaultPINParams, rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		evs = append(evs, storetest.Issued("ROMA01", storetest.CF(i), fmt.Sprint("e", i), fmt.Sprint("c", i), h))
	}
	if _, err := s.Apply(b.Context(), "ROMA01", evs, storetest.T0); err != nil {
		b.Fatal(err)
	}
	open := testenv.VerifyLimits // the buckets out of the way
	for _, tc := range []struct {
		name   string
		limits server.VerifyLimits
	}{
		{"limited", open},
		{"unlimited", server.VerifyLimits{Slots: 1 << 20, Queue: 1 << 20, Wait: time.Hour,
			CertRate: open.CertRate, CertBurst: open.CertBurst, CFRate: open.CFRate, CFBurst: open.CFBurst}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			env.Server.SetVerifyLimits(tc.limits)
			// No client timeout: without the limits, a check waits for
			// minutes, and the point is to see how long.
			hc := &http.Client{Transport: &http.Transport{TLSClientConfig: env.TLS(b, pki.RolePortal, "PORTALE")}}
			defer hc.CloseIdleConnections()
			runtime.GC()
			resetPeakRSS()
			var mu sync.Mutex
			var lat []time.Duration
			statuses := map[int]int{}
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				var wg sync.WaitGroup
				for c := range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for range each {
							t0 := time.Now()
							a := verifyAs(hc, env.URL, storetest.CF(c))
							d := time.Since(t0)
							mu.Lock()
							statuses[a.status]++
							if a.status == 200 {
								lat = append(lat, d)
							}
							mu.Unlock()
						}
					}()
				}
				wg.Wait()
			}
			elapsed := time.Since(start)
			b.StopTimer()
			slices.Sort(lat)
			q := func(p float64) float64 {
				if len(lat) == 0 {
					return 0
				}
				return float64(lat[min(int(p*float64(len(lat))), len(lat)-1)].Milliseconds())
			}
			b.ReportMetric(float64(statuses[200])/elapsed.Seconds(), "checks/s")
			b.ReportMetric(float64(statuses[503])/float64(b.N), "503/op")
			b.ReportMetric(q(0.5), "p50-ms")
			b.ReportMetric(q(0.95), "p95-ms")
			b.ReportMetric(q(1), "max-ms")
			b.ReportMetric(float64(peakRSS()>>20), "peak-RSS-MiB")
			b.Logf("%s: slots %d, queue %d; answers %v", tc.name, env.Server.VerifyLimits().Slots, env.Server.VerifyLimits().Queue, statuses)
		})
	}
}
