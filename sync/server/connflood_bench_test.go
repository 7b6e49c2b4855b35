package server_test

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/certtest"
)

// peakKiB returns the peak resident memory (VmHWM) of the process pid,
// in KiB.
func peakKiB(b *testing.B, pid int) float64 {
	b.Helper()
	s, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(s), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("no VmHWM")
	return 0
}

// BenchmarkConnFlood floods the centrale binary from 127.0.0.2 with 5,000
// connections, held open: TCP connections that send nothing ("silent"),
// or TLS connections of one certificate left idle after a request
// ("idle"), with the bounds at 1,000 connections (500 per source) and
// with none that binds (a million, none per source: centrale as it was).
// It reports the connections centrale kept open and refused, its
// descriptors, and its peak resident memory with the flood held, in all
// and above the peak before it.
func BenchmarkConnFlood(b *testing.B) {
	const flood = 5000
	for _, bound := range []struct{ name, max, per string }{{"bound", "1000", "500"}, {"none", "1000000", "0"}} {
		for _, mode := range []string{"silent", "idle"} {
			b.Run(bound.name+"/"+mode, func(b *testing.B) {
				for range b.N {
					p, ca, api, manage := floodCentrale(b, "-conn-max", bound.max, "-conn-per-source", bound.per, "-conn-handshake", "10m")
					base := peakKiB(b, p.Pid)
					cfg := certtest.DeskTLS(b, ca, "01", time.Now())
					d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
					for range flood {
						dial := d.Dial
						if mode == "idle" {
							dial = func(string, string) (net.Conn, error) { return keepAlive(d, cfg, api) }
						}
						c, err := dial("tcp", api)
						if err != nil {
							if !isReset(err) {
								b.Fatal(err)
							}
							continue // reset by centrale
						}
						b.Cleanup(func() { c.Close() })
					}
					// The silent connections the client holds may not all be
					// accepted yet: ask centrale something, from another address,
					// after them.
					hc := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
					resp, err := hc.Get("https://" + api + "/v1/health")
					if err != nil {
						b.Fatal(err)
					}
					resp.Body.Close()
					m := scrapeProcess(b, manage)
					b.ReportMetric(m[`pinsede_connections_open{listener="api"}`], "open")
					b.ReportMetric(m[`pinsede_connections_refused_total{bound="per_source",listener="api"}`]+m[`pinsede_connections_refused_total{bound="total",listener="api"}`], "refused")
					b.ReportMetric(float64(descriptors(b, p.Pid)), "fds")
					b.ReportMetric(peakKiB(b, p.Pid)/1024, "peak-MiB")
					b.ReportMetric((peakKiB(b, p.Pid)-base)/1024, "flood-MiB")
				}
			})
		}
	}
}
