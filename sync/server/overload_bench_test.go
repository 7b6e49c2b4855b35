package server_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	rtrace "runtime/trace"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
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

// cpuTime returns the CPU time the process has used, user and system,
// from /proc/self/stat in clock ticks of 10 ms (Linux; 0 elsewhere).
func cpuTime() time.Duration {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	// The fields after the command's closing parenthesis: utime and stime
	// are the 12th and 13th of them.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * 10 * time.Millisecond
}

// resetPeakRSS starts peakRSS again from the current resident memory.
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// BenchmarkVerify: portal clients at once (2, 8, 32 and 64), checking
// first logins (the desk's 16-character PIN, at the desks' real cost,
// pinsede.DefaultPINParams) through centrale's TLS handler, on bbolt and
// on PostgreSQL (a server of its own, started by pgtest), with
// the default slots and queue (the rate buckets out of the way); a client
// told 503 or 429 waits the Retry-After and asks again, as the portal
// should. Side by side, in rounds that alternate so that both see the
// same load (10 rounds of each), "floor": as many bare argon2id checks of the same hash on as
// many goroutines as centrale has slots, the most this process can hash.
// Both have the same checks to make in a round, and a round ends when its
// last is done: a client takes a check before it sends it and keeps it
// until it is answered (sent again after a 503's or 429's Retry-After),
// so that no check is left running or waiting when the round's time is
// taken, nor started for nothing. It reports the checks answered a second, the
// floor's, their ratio, the 503s and 429s, the latency of the answered
// checks (p50, p99), the process's peak resident memory, to hold against
// the budget, and the share of the cores the process used in centrale's
// rounds and in the floor's (cpu-%, floor-cpu-%): what centrale loses to
// cores left idle, apart from what it spends outside the hash; on
// PostgreSQL, the share of the same cores its server took in centrale's
// rounds (pg-cpu-%).
func BenchmarkVerify(b *testing.B) {
	b.Run("store=bbolt", func(b *testing.B) {
		s, err := boltstore.Open(filepath.Join(b.TempDir(), "centrale.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		benchVerify(b, s, nil)
	})
	b.Run("store=postgres", func(b *testing.B) {
		s, _ := pgStore(b)
		benchVerify(b, s, pgtest.CPU)
	})
}

// benchVerify is BenchmarkVerify on the store s; storeCPU, when not nil,
// is the processor time the store's own processes have used.
func benchVerify(b *testing.B, s central.Store, storeCPU func() time.Duration) {
	env := testenv.New(b, s)
	env.Server.Verifier.Params = pinsede.DefaultPINParams
	env.Server.SetVerifyLimits(testenv.VerifyLimits)
	limits := env.Server.VerifyLimits()
	// In a trace (-test.trace), each check's slot taken and given back,
	// and each round, a region "floor" or "centrale".
	env.Server.SetCheckHook(func(d int) { rtrace.Log(b.Context(), "slot", strconv.Itoa(d)) })
	const people = 64
	var evs []pinsede.Event
	var hash string
	var err error
	for i := range people {
		if hash, err = pinsede.HashSecret([]byte(floodPIN), pinsede.DefaultPINParams, rand.Reader); err != nil {
			b.Fatal(err)
		}
		evs = append(evs, storetest.Issued("ROMA01", storetest.CF(i), fmt.Sprint("e", i), fmt.Sprint("c", i), hash))
	}
	if _, err := s.Apply(b.Context(), "ROMA01", evs, storetest.T0); err != nil {
		b.Fatal(err)
	}
	for _, clients := range []int{2, 8, 32, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			// The portal keeps a connection for each of its clients: with
			// net/http's default of 2 idle connections a host, every other
			// check paid a TLS handshake with its client certificate.
			hc := &http.Client{Transport: &http.Transport{TLSClientConfig: env.TLS(b, pki.RolePortal, "PORTALE"), MaxIdleConnsPerHost: clients}}
			defer hc.CloseIdleConnections()
			runtime.GC()
			resetPeakRSS()
			var mu sync.Mutex
			var lat []time.Duration
			statuses := map[int]int{}
			var spent, floorSpent, cpu, floorCPU, dbCPU time.Duration
			const rounds = 10
			for r := range rounds {
				n := int64(b.N*(r+1)/rounds - b.N*r/rounds)
				var next atomic.Int64
				start, cpu0 := time.Now(), cpuTime()
				reg := rtrace.StartRegion(b.Context(), "floor")
				storetest.Together(limits.Slots, func(int) {
					for next.Add(1) <= n {
						pinsede.VerifySecret(hash, []byte(floodPIN))
					}
				})
				reg.End()
				floorSpent += time.Since(start)
				floorCPU += cpuTime() - cpu0

				next.Store(0)
				var db0 time.Duration
				if storeCPU != nil {
					db0 = storeCPU()
				}
				start, cpu0 = time.Now(), cpuTime()
				reg = rtrace.StartRegion(b.Context(), "centrale")
				storetest.Together(clients, func(c int) {
					for next.Add(1) <= n {
						for {
							t0 := time.Now()
							a := verifyAs(hc, env.URL, storetest.CF(c))
							d := time.Since(t0)
							mu.Lock()
							statuses[a.status]++
							if a.status == http.StatusOK {
								lat = append(lat, d)
							}
							mu.Unlock()
							if a.status != http.StatusServiceUnavailable && a.status != http.StatusTooManyRequests {
								break
							}
							wait, _ := strconv.Atoi(a.retryAfter)
							time.Sleep(time.Duration(max(wait, 1)) * time.Second)
						}
					}
				})
				reg.End()
				spent += time.Since(start)
				cpu += cpuTime() - cpu0
				if storeCPU != nil {
					dbCPU += storeCPU() - db0
				}
			}
			b.StopTimer()
			slices.Sort(lat)
			q := func(p float64) float64 {
				if len(lat) == 0 {
					return 0
				}
				return float64(lat[min(int(p*float64(len(lat))), len(lat)-1)].Milliseconds())
			}
			rate, floor := float64(b.N)/spent.Seconds(), float64(b.N)/floorSpent.Seconds()
			b.ReportMetric(rate, "checks/s")
			b.ReportMetric(floor, "floor-checks/s")
			b.ReportMetric(rate/floor, "ratio")
			b.ReportMetric(float64(statuses[http.StatusServiceUnavailable]), "503s")
			b.ReportMetric(float64(statuses[http.StatusTooManyRequests]), "429s")
			b.ReportMetric(q(0.5), "p50-ms")
			b.ReportMetric(q(0.99), "p99-ms")
			b.ReportMetric(float64(peakRSS()>>20), "peak-RSS-MiB")
			b.ReportMetric(100*cpu.Seconds()/spent.Seconds()/float64(runtime.GOMAXPROCS(0)), "cpu-%")
			b.ReportMetric(100*floorCPU.Seconds()/floorSpent.Seconds()/float64(runtime.GOMAXPROCS(0)), "floor-cpu-%")
			if storeCPU != nil {
				b.ReportMetric(100*dbCPU.Seconds()/spent.Seconds()/float64(runtime.GOMAXPROCS(0)), "pg-cpu-%")
			}
			b.Logf("slots %d, queue %d, budget %d MiB; answers %v", limits.Slots, limits.Queue, limits.MemoryBudget>>20, statuses)
		})
	}
}
