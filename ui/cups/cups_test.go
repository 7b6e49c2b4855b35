package cups

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/cups/cupstest"
)

// Ensure that a queue that does not exist gives ErrPrinterMissing with its
// message key, and queues nothing.
func TestCUPSMissingPrinter(t *testing.T) {
	cupstest.Need(t)
	err := Queue{Name: "pinsede-non-esiste"}.Print(t.Context(), Job{Title: "busta-X", PDF: []byte("%PDF-")})
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
	polled    func() // when not nil, called at each poll of the job
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
		if f.polled != nil {
			f.polled()
		}
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
// a document is not queued on a printer that cannot print, and that a job that
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
			c := Queue{Name: "desk", Server: strings.TrimPrefix(srv.URL, "http://"), Wait: time.Second,
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
	err := Queue{Name: "../admin"}.Print(t.Context(), Job{Title: "busta-X", PDF: []byte("%PDF-")})
	checkProblem(t, err, ErrPrinterMissing, KeyPrinterMissing)
	err = Queue{Name: "desk", Server: filepath.Join(t.TempDir(), "no.sock")}.Print(t.Context(), Job{Title: "busta-X", PDF: []byte("%PDF-")})
	checkProblem(t, err, ErrNoCUPS, KeyNoCUPS)
}

// Ensure that a context cancelled while the job is followed stops
// following it and cancels the job. The context is cancelled at the
// job's first poll: before, a deadline of 300 ms could end it before the
// job was sent, on a loaded machine, and no job was cancelled.
func TestCUPSContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	fake := &fakeCUPS{printer: printerAttrs(3, true, "none"), jobStates: []int{3}, polled: cancel}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	err := Queue{Name: "desk", Server: strings.TrimPrefix(srv.URL, "http://")}.Print(ctx, Job{Title: "busta-X", PDF: []byte("%PDF-")})
	if !errors.Is(err, context.Canceled) {
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
		if got := (Queue{Name: "desk", Server: server}).client().url; !strings.HasPrefix(got, want) {
			t.Errorf("%s: %s, want %s...", server, got, want)
		}
	}
}
