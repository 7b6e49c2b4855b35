package main

import (
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/certtest"
	"github.com/pinsede/pinsede/sync/pki"
)

// Ensure that centrale judges its revocation list on its own clock, the
// one serve is handed, as it judges its certificates: a list signed now
// is expired by a centrale clock 40 days on, though current by the
// machine's, and a list signed 40 days ago (with the CA and the server
// certificate) is current by a centrale clock a day after it was signed, though
// expired by the machine's. The test's instants are the machine's clock
// and offsets from it, not the suite's: the machine's clock is what the
// list must not be judged on. /v1/health,
// /readyz, the status page and the log all say the same. Before, the list
// was checked against the machine's clock (time.Now, in run.go): the
// status page, on centrale's clock, showed the list expired while
// /v1/health and /readyz said ok, and the reverse.
func TestCRLJudgedOnCentraleClock(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		name    string
		signed  time.Duration // when the CA, the list and the server certificate were signed, from the machine's clock
		clock   time.Duration // centrale's clock, from the machine's
		expired bool
	}{
		{"current by the machine, expired by centrale", 0, 40 * day, true},
		{"expired by the machine, current by centrale", -40 * day, -39 * day, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			real := time.Now()
			dir := t.TempDir()
			ca, err := pki.Init(dir, "test CA", real.Add(tc.signed), nil) // and its crl.pem
			if err != nil {
				t.Fatal(err)
			}
			certtest.WriteServer(t, ca, dir, real.Add(tc.signed))
			c, err := parse([]string{"-pki", dir, "-listen", "127.0.0.1:0", "-manage", "127.0.0.1:0", "-bolt", filepath.Join(dir, "c.db")}, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			now := real.Add(tc.clock)
			c.now = func() time.Time { return now }
			l, logs, stop := start(t, c)
			defer stop()
			wantState, wantReady, wantClass := "ok", "crl: ok", "ok"
			if tc.expired {
				wantState, wantReady, wantClass = "expired", "crl: warning: expired", "bad"
			}
			if h := deskHealth(t, ca, l.api)(); h.CRL != wantState {
				t.Errorf("/v1/health: crl %q, want %q", h.CRL, wantState)
			}
			if st, body := get(t, "http://"+l.manage+"/readyz"); st != 200 || !strings.Contains(body, wantReady) {
				t.Errorf("/readyz: %d %q, want %q", st, body, wantReady)
			}
			_, page := get(t, "http://"+l.manage+"/status")
			row := regexp.MustCompile(`<tr><td>Elenco di revoca \(CRL\)</td>.*?<td class="([a-z]*)">`).FindStringSubmatch(page)
			if row == nil || row[1] != wantClass {
				t.Errorf("status page: the list's row %q, want class %q", row, wantClass)
			}
			if got := strings.Contains(logs.String(), pki.ErrCRLExpired.Error()); got != tc.expired {
				t.Errorf("log says the list expired: %v, want %v:\n%s", got, tc.expired, logs.String())
			}
		})
	}
}
