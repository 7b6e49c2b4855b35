package cups

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/ui/cups/cupstest"
)

// Ensure that the queues of the real CUPS are listed with their state: the
// test queue idle and accepting, and a queue that rejects jobs told apart.
func TestCUPSListPrinters(t *testing.T) {
	cupstest.Need(t)
	const rejecting = "pinsede-list-rejecting"
	// A second queue on the same PDF back end, that rejects jobs.
	if out, err := exec.Command("lpadmin", "-p", rejecting, "-v", "cups-pdf:/", "-D", "Coda di prova").CombinedOutput(); err != nil {
		t.Skipf("lpadmin (needs root): %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("lpadmin", "-x", rejecting).Run() })
	if out, err := exec.Command("cupsreject", rejecting).CombinedOutput(); err != nil {
		t.Fatalf("cupsreject: %v: %s", err, out)
	}

	ps, err := ListPrinters(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	find := func(name string) Printer {
		t.Helper()
		i := slices.IndexFunc(ps, func(p Printer) bool { return p.Name == name })
		if i < 0 {
			t.Fatalf("%s not in %+v", name, ps)
		}
		return ps[i]
	}
	if p := find(cupstest.Queue); !p.Accepting || p.State == PrinterStopped || !p.Ready() {
		t.Errorf("%s: %+v, want accepting and ready", p.Name, p)
	}
	if p := find(rejecting); p.Accepting || p.Ready() || p.Info != "Coda di prova" {
		t.Errorf("%s: %+v, want not accepting, with its description", p.Name, p)
	}
	if !slices.IsSortedFunc(ps, func(a, b Printer) int { return strings.Compare(a.Name, b.Name) }) {
		t.Errorf("not sorted: %+v", ps)
	}
}

// Ensure that a listing reads each queue's group apart, that a server with
// no queue gives none, and that an answer too large is refused, not read.
func TestListPrintersAnswers(t *testing.T) {
	group := func(name string, state int32, accepting bool, reasons ...string) []byte {
		r := &ippRequest{}
		r.add(tagName, "printer-name", name)
		r.addInt(tagEnum, "printer-state", state)
		r.addBool("printer-is-accepting-jobs", accepting)
		r.add(tagKeyword, "printer-state-reasons", reasons...)
		b := (&ippRequest{attrs: r.attrs}).encode()
		b = b[8 : len(b)-1] // the attributes, without header and end
		b[0] = tagPrinter
		return b
	}
	answer := func(status uint16, groups ...[]byte) []byte {
		r := &ippRequest{op: status, id: 1}
		r.add(tagCharset, "attributes-charset", "utf-8")
		b := r.encode()
		b = b[:len(b)-1]
		for _, g := range groups {
			b = append(b, g...)
		}
		return append(b, tagEnd)
	}
	for _, tc := range []struct {
		name   string
		body   []byte
		want   string
		failed bool
	}{
		{"two queues", answer(statusOK, group("zeta", 5, true, "paused"), group("alfa", 3, true, "none")),
			"alfa idle true true []; zeta stopped true false [paused]", false},
		{"no queue", answer(statusNotFound), "", false},
		{"too large", answer(statusOK, bytes.Repeat(group("alfa", 3, true, strings.Repeat("x", 1000)), 1100)), "", true},
		{"cut short", answer(statusOK, group("alfa", 3, true, "none"))[:20], "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if req, err := decodeIPP(r.Body); err != nil || req.status != opCUPSGetPrinters || r.URL.Path != "/" {
					http.Error(w, "not a cups-get-printers", http.StatusBadRequest)
					return
				}
				w.Header().Set("Content-Type", "application/ipp")
				w.Write(tc.body)
			}))
			defer srv.Close()
			ps, err := ListPrinters(t.Context(), strings.TrimPrefix(srv.URL, "http://"))
			if tc.failed {
				checkProblem(t, err, ErrNoCUPS, KeyNoCUPS)
				if tc.name == "too large" && !errors.Is(err, errAnswerTooLarge) {
					t.Errorf("err = %v, want %v", err, errAnswerTooLarge)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, strings.Join([]string{p.Name, p.State.String(), strconv.FormatBool(p.Accepting), strconv.FormatBool(p.Ready()), "[" + strings.Join(p.Reasons, " ") + "]"}, " "))
			}
			if s := strings.Join(got, "; "); s != tc.want {
				t.Errorf("got %q, want %q", s, tc.want)
			}
		})
	}
}
