package printer

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// The test queue that scripts/cups-setup.sh creates, and where its PDFs go.
const (
	testQueue  = "pinsede-pdf"
	testPDFOut = "/var/spool/cups-pdf/pinsede"
	spoolDir   = "/var/spool/cups"
)

// The PIN of the slips printed through CUPS: two groups that pdftotext
// can find. It is no real PIN.
const cupsFirst, cupsSecond = "ACEF3479", "HJKMNPRT"

// cupsSlip returns a slip with a fresh serial and the PIN above.
func cupsSlip(t *testing.T) pinsede.Slip {
	t.Helper()
	s := slipFor(t, "TEST-"+strings.ToUpper(hex.EncodeToString(randomBytes(t, 4))))
	var draw [32]byte
	for i, c := range []byte(cupsFirst + cupsSecond) {
		draw[i] = byte(strings.IndexByte(pinsede.PINAlphabet, c))
	}
	pin, err := pinsede.GeneratePIN(bytes.NewReader(draw[:]))
	if err != nil {
		t.Fatal(err)
	}
	s.PIN = pin
	s.Citizen.Cognome, s.Citizen.Nome = "Müller-Lüdenscheidt", "Jürgen"
	return s
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// needCUPS makes sure cupsd runs with the test queue: it runs
// scripts/cups-setup.sh when it can (as root). Without CUPS it skips the
// test, or fails it when $CI is set.
func needCUPS(t *testing.T) {
	t.Helper()
	ready := func() bool {
		return exec.Command("lpstat", "-p", testQueue).Run() == nil
	}
	if ready() {
		return
	}
	why := "CUPS with the queue " + testQueue + " is not available"
	if os.Geteuid() == 0 {
		out, err := exec.Command("bash", "../../scripts/cups-setup.sh").CombinedOutput()
		if err == nil && ready() {
			return
		}
		why += ": scripts/cups-setup.sh: " + strings.TrimSpace(string(out))
	} else {
		why += " (run scripts/cups-setup.sh as root)"
	}
	if os.Getenv("CI") != "" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// Ensure that a slip printed through a real CUPS queue comes out whole,
// and that cupsd keeps no copy of it.
func TestCUPSPrintsForReal(t *testing.T) {
	needCUPS(t)
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	s := cupsSlip(t)
	var states []JobState
	p := SlipPrinter{Backend: CUPS{Printer: testQueue, Wait: time.Minute, Progress: func(s JobState) { states = append(states, s) }}}
	if err := p.PrintSlip(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	if len(states) == 0 || states[0] != JobQueued || states[len(states)-1] != JobPrinted {
		t.Errorf("states %v, want queued ... printed", states)
	}

	// cups-pdf writes the file as the job ends: wait for it.
	pattern := filepath.Join(testPDFOut, "*", "busta-"+s.Serial+"*.pdf")
	var files []string
	for range 50 {
		if files, _ = filepath.Glob(pattern); len(files) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(files) != 1 {
		t.Fatalf("%d files match %s, want 1", len(files), pattern)
	}
	t.Cleanup(func() { os.Remove(files[0]) })
	out, err := exec.Command("pdftotext", "-layout", "-f", "1", "-l", "1", files[0], "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", files[0], err)
	}
	page1 := string(out)
	for _, want := range []string{"Müller-Lüdenscheidt", "Jürgen", cupsFirst, cupsSecond, s.Serial} {
		if !strings.Contains(page1, want) {
			t.Errorf("the printed page 1 lacks %q:\n%s", want, page1)
		}
	}
	// Printed at 100 %: the heading starts 20 mm from the left edge, the
	// name 21 mm from the left and 59.5 mm from the top (in the window).
	bbox, err := exec.Command("pdftotext", "-bbox", "-f", "1", "-l", "1", files[0], "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox %s: %v", files[0], err)
	}
	for word, want := range map[string][2]float64{"INPS": {20, 0}, "Müller-Lüdenscheidt": {21, 59.5}} {
		m := regexp.MustCompile(`xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>` + regexp.QuoteMeta(word) + `<`).FindSubmatch(bbox)
		if m == nil {
			t.Errorf("%q not found in the printed page", word)
			continue
		}
		x, _ := strconv.ParseFloat(string(m[1]), 64)
		y, _ := strconv.ParseFloat(string(m[2]), 64)
		x, y = x*25.4/72, y*25.4/72
		if math.Abs(x-want[0]) > 1 || want[1] > 0 && math.Abs(y-want[1]) > 2 {
			t.Errorf("%q printed at (%.1f, %.1f) mm, want (%.0f, %.1f): the page was scaled or moved", word, x, y, want[0], want[1])
		}
	}
	if err := os.Remove(files[0]); err != nil {
		t.Error(err)
	}

	// No document in the spool; the job history (c* files) has no PIN.
	entries, err := os.ReadDir(spoolDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, "d"):
			t.Errorf("%s/%s: cupsd kept a document", spoolDir, name)
		case strings.HasPrefix(name, "c"):
			b, err := os.ReadFile(filepath.Join(spoolDir, name))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte(cupsFirst)) || bytes.Contains(b, []byte(cupsSecond)) {
				t.Errorf("%s/%s: the job history holds the PIN", spoolDir, name)
			}
		}
	}
}

// Ensure that a queue that does not exist gives ErrPrinterMissing with its
// message key, and queues nothing.
func TestCUPSMissingPrinter(t *testing.T) {
	needCUPS(t)
	err := CUPS{Printer: "pinsede-non-esiste"}.Print(t.Context(), Job{Title: "busta-X", PDF: []byte("%PDF-")})
	checkProblem(t, err, ErrPrinterMissing, KeyPrinterMissing)
	if !strings.Contains(err.Error(), "pinsede-non-esiste") {
		t.Errorf("err = %v, want it to name the printer", err)
	}
}

// checkProblem fails t unless err is a *pinsede.Problem with key wrapping
// sentinel.
func checkProblem(t *testing.T, err, sentinel error, key string) {
	t.Helper()
	var p *pinsede.Problem
	if !errors.As(err, &p) || p.Key != key || !errors.Is(err, sentinel) {
		t.Errorf("err = %v, want a problem %s wrapping %v", err, key, sentinel)
	}
}

// fakeCUPS is an IPP server that answers like cupsd in a given situation,
// and records the operations it was asked.
type fakeCUPS struct {
	mu        sync.Mutex
	ops       []uint16
	printer   func() []ippAttr // printer attributes
	jobStates []int            // job-state answered to each poll; the last repeats
	polls     int
	missing   bool
}

func (f *fakeCUPS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, err := decodeIPP(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	op := req.status // in a request, the header's second field is the operation
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ops = append(f.ops, op)
	res := &ippRequest{op: statusOK, id: 1}
	res.add(tagCharset, "attributes-charset", "utf-8")
	switch {
	case f.missing:
		res.op = statusNotFound
	case op == opGetPrinterAttributes:
		res.attrs = append(res.attrs, f.printer()...)
	case op == opPrintJob:
		res.addInt(tagInteger, "job-id", 42)
	case op == opGetJobAttributes:
		state := f.jobStates[min(f.polls, len(f.jobStates)-1)]
		f.polls++
		res.addInt(tagEnum, "job-state", int32(state))
		res.add(tagKeyword, "job-state-reasons", "none")
	}
	w.Header().Set("Content-Type", "application/ipp")
	w.Write(res.encode())
}

// printerAttrs returns printer attributes: state, accepting, reasons.
func printerAttrs(state int32, accepting bool, reasons ...string) func() []ippAttr {
	return func() []ippAttr {
		r := &ippRequest{}
		r.addInt(tagEnum, "printer-state", state)
		r.addBool("printer-is-accepting-jobs", accepting)
		r.add(tagKeyword, "printer-state-reasons", reasons...)
		return r.attrs
	}
}

// Ensure that each printer and job situation gives its own failure, that
// a slip is not queued on a printer that cannot print, and that a job that
// cannot complete is cancelled.
func TestCUPSStates(t *testing.T) {
	const idle, stopped = 3, 5
	for _, tc := range []struct {
		name       string
		fake       *fakeCUPS
		want       error
		key        string
		submitted  bool
		cancelled  bool
		wantStates []JobState
	}{
		{"printed", &fakeCUPS{printer: printerAttrs(idle, true, "none"), jobStates: []int{3, 5, 9}}, nil, "", true, false,
			[]JobState{JobQueued, JobPrinting, JobPrinted}},
		{"missing", &fakeCUPS{missing: true}, ErrPrinterMissing, KeyPrinterMissing, false, false, nil},
		{"rejecting", &fakeCUPS{printer: printerAttrs(idle, false, "none")}, ErrPrinterStopped, KeyPrinterStopped, false, false, nil},
		{"stopped", &fakeCUPS{printer: printerAttrs(stopped, true, "paused")}, ErrPrinterStopped, KeyPrinterStopped, false, false, nil},
		{"offline", &fakeCUPS{printer: printerAttrs(idle, true, "offline-report")}, ErrPrinterOffline, KeyPrinterOffline, false, false, nil},
		{"no paper", &fakeCUPS{printer: printerAttrs(idle, true, "media-empty-error")}, ErrOutOfPaper, KeyOutOfPaper, false, false, nil},
		{"paper low is fine", &fakeCUPS{printer: printerAttrs(idle, true, "media-low-warning"), jobStates: []int{9}}, nil, "", true, false,
			[]JobState{JobQueued, JobPrinted}},
		{"aborted", &fakeCUPS{printer: printerAttrs(idle, true, "none"), jobStates: []int{5, 8}}, ErrJobFailed, KeyJobFailed, true, true,
			[]JobState{JobQueued, JobPrinting, JobFailed}},
		{"stuck", &fakeCUPS{printer: printerAttrs(idle, true, "none"), jobStates: []int{3}}, ErrJobTimeout, KeyJobTimeout, true, true,
			[]JobState{JobQueued, JobFailed}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.fake)
			defer srv.Close()
			var states []JobState
			c := CUPS{Printer: "desk", Server: strings.TrimPrefix(srv.URL, "http://"), Wait: time.Second,
				Progress: func(s JobState) { states = append(states, s) }}
			err := c.Print(t.Context(), Job{Title: "busta-X", PDF: []byte("%PDF-1.4")})
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				checkProblem(t, err, tc.want, tc.key)
			}
			has := func(op uint16) bool {
				tc.fake.mu.Lock()
				defer tc.fake.mu.Unlock()
				for _, o := range tc.fake.ops {
					if o == op {
						return true
					}
				}
				return false
			}
			if has(opPrintJob) != tc.submitted {
				t.Errorf("job submitted: %v, want %v", has(opPrintJob), tc.submitted)
			}
			if has(opCancelJob) != tc.cancelled {
				t.Errorf("job cancelled: %v, want %v", has(opCancelJob), tc.cancelled)
			}
			if strings.Join(stateNames(states), " ") != strings.Join(stateNames(tc.wantStates), " ") {
				t.Errorf("states %v, want %v", states, tc.wantStates)
			}
		})
	}
}

func stateNames(ss []JobState) []string {
	var n []string
	for _, s := range ss {
		n = append(n, s.String())
	}
	return n
}

// Ensure that a printer name that is not a queue name is refused before
// anything is sent, and that cupsd not answering is told apart.
func TestCUPSUnreachable(t *testing.T) {
	err := CUPS{Printer: "../admin"}.Print(t.Context(), Job{Title: "busta-X", PDF: []byte("%PDF-")})
	checkProblem(t, err, ErrPrinterMissing, KeyPrinterMissing)
	err = CUPS{Printer: "desk", Server: filepath.Join(t.TempDir(), "no.sock")}.Print(t.Context(), Job{Title: "busta-X", PDF: []byte("%PDF-")})
	checkProblem(t, err, ErrNoCUPS, KeyNoCUPS)
}

// Ensure that a cancelled context stops following the job and cancels it.
func TestCUPSContextCancelled(t *testing.T) {
	fake := &fakeCUPS{printer: printerAttrs(3, true, "none"), jobStates: []int{3}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	err := CUPS{Printer: "desk", Server: strings.TrimPrefix(srv.URL, "http://")}.Print(ctx, Job{Title: "busta-X", PDF: []byte("%PDF-")})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the context's error", err)
	}
	if fake.ops[len(fake.ops)-1] != opCancelJob {
		t.Errorf("last operation %#x, want cancel-job", fake.ops[len(fake.ops)-1])
	}
}

// Ensure that only the loopback is spoken to in clear.
func TestCUPSLoopback(t *testing.T) {
	for server, want := range map[string]string{
		"localhost:631": "http://", "127.0.0.1:631": "http://", "[::1]:631": "http://", "/run/cups/cups.sock": "http://",
		"stampa.sede.local:631": "https://", "10.1.2.3:631": "https://",
	} {
		if got := (CUPS{Printer: "desk", Server: server}).client().url; !strings.HasPrefix(got, want) {
			t.Errorf("%s: %s, want %s...", server, got, want)
		}
	}
}
