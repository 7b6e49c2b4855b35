package cups

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/user"
	"strings"
	"sync"
	"time"

	"github.com/pinsede/pinsede"
)

// Queue prints on a CUPS queue, speaking IPP to the scheduler (cupsd): the
// PDF goes from memory to cupsd in the body of the request, never through
// a file of ours. Print first asks the queue's state and refuses to queue a
// document on a printer that is missing, stopped, offline or out of paper (the
// PDF would wait in the spool); then it sends the job and follows it until
// it is printed, failed, or Wait has passed. A job that cannot complete is
// cancelled and purged, so that cupsd drops its copy of the PDF.
//
// Errors are [*pinsede.Problem] values whose Key names the message for the
// user (print.err.*) and whose Err is one of the Err* sentinels below.
type Queue struct {
	// Name is the name of the CUPS queue, as lpstat -p lists it.
	Name string
	// Server is where cupsd listens: a Unix socket path (starting with /)
	// or host:port. Empty means $CUPS_SERVER, else /run/cups/cups.sock
	// when it exists, else localhost:631. A host other than the loopback
	// is spoken to over TLS (https, ipps), its certificate checked against
	// the system's roots: a document never crosses a network in clear.
	Server string
	// Wait is how long Print waits for the job to be printed before it
	// cancels it; zero means DefaultWait.
	Wait time.Duration
	// Progress, when set, is told each state the job reaches, from the
	// goroutine that called Print.
	Progress func(JobState)
}

// DefaultWait is how long a job may take to print before Print gives up:
// one page, with a printer that may wake from sleep.
const DefaultWait = 2 * time.Minute

// pollEvery is how often Print asks for the job's state.
const pollEvery = 200 * time.Millisecond

// JobState is where a print job is, as an app shows it.
type JobState int

// The states of a print job.
const (
	// JobQueued: cupsd has the job; the printer has not started it.
	JobQueued JobState = iota + 1
	// JobPrinting: the printer is printing it.
	JobPrinting
	// JobPrinted: the printer reported the job complete.
	JobPrinted
	// JobFailed: the job was refused, aborted, cancelled or timed out.
	JobFailed
)

// String returns the state's name.
func (s JobState) String() string {
	switch s {
	case JobQueued:
		return "queued"
	case JobPrinting:
		return "printing"
	case JobPrinted:
		return "printed"
	case JobFailed:
		return "failed"
	}
	return fmt.Sprintf("JobState(%d)", int(s))
}

// Key returns the message key that tells the user the state:
// print.state.queued, print.state.printing, print.state.printed or
// print.state.failed.
func (s JobState) Key() string { return "print.state." + s.String() }

// The reasons a CUPS job fails. Each comes wrapped in a *pinsede.Problem
// whose Key is the message for the user.
var (
	// ErrNoCUPS: cupsd does not answer.
	ErrNoCUPS = errors.New("cups not reachable")
	// ErrPrinterMissing: no queue has the configured name.
	ErrPrinterMissing = errors.New("printer not found")
	// ErrPrinterStopped: the queue is stopped, paused or rejects jobs.
	ErrPrinterStopped = errors.New("printer stopped")
	// ErrPrinterOffline: the printer does not answer cupsd.
	ErrPrinterOffline = errors.New("printer offline")
	// ErrOutOfPaper: the printer reports no paper.
	ErrOutOfPaper = errors.New("printer out of paper")
	// ErrJobFailed: the job was aborted or cancelled after it was queued.
	ErrJobFailed = errors.New("print job failed")
	// ErrJobTimeout: the job was not printed within Wait; it was cancelled.
	ErrJobTimeout = errors.New("print job timed out")
)

// The message keys of the failures, for the apps' translations.
const (
	KeyNoCUPS         = "print.err.nocups"
	KeyPrinterMissing = "print.err.missing"
	KeyPrinterStopped = "print.err.stopped"
	KeyPrinterOffline = "print.err.offline"
	KeyOutOfPaper     = "print.err.nopaper"
	KeyJobFailed      = "print.err.jobfailed"
	KeyJobTimeout     = "print.err.timeout"
)

// keys maps each failure to its message key.
var keys = map[error]string{
	ErrNoCUPS:         KeyNoCUPS,
	ErrPrinterMissing: KeyPrinterMissing,
	ErrPrinterStopped: KeyPrinterStopped,
	ErrPrinterOffline: KeyPrinterOffline,
	ErrOutOfPaper:     KeyOutOfPaper,
	ErrJobFailed:      KeyJobFailed,
	ErrJobTimeout:     KeyJobTimeout,
}

// IPP job states (RFC 8011 5.3.7) and the printer's stopped state.
const (
	ippJobPending    = 3
	ippJobHeld       = 4
	ippJobProcessing = 5
	ippJobStopped    = 6
	ippJobCanceled   = 7
	ippJobAborted    = 8
	ippJobCompleted  = 9
	ippPrinterStop   = 5
)

// Print prints job on the queue and returns when it is printed.
func (c Queue) Print(ctx context.Context, job Job) error {
	if !queueName(c.Name) {
		return c.fail(ErrPrinterMissing, fmt.Errorf("printer name %q not valid", c.Name))
	}
	cl := c.client()
	if err := cl.ready(ctx); err != nil {
		return err
	}
	id, err := cl.submit(ctx, job)
	if err != nil {
		return err
	}
	c.progress(JobQueued)
	err = cl.follow(ctx, id, c.progress)
	if err != nil {
		// Whatever went wrong, take the PDF out of the spool.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		cl.cancel(cctx, id)
		cancel()
		c.progress(JobFailed)
		return err
	}
	c.progress(JobPrinted)
	return nil
}

func (c Queue) progress(s JobState) {
	if c.Progress != nil {
		c.Progress(s)
	}
}

// fail returns the Problem for the failure sentinel, with cause err.
func (c Queue) fail(sentinel, err error) error {
	return &pinsede.Problem{
		Key:  keys[sentinel],
		Args: map[string]any{"Printer": c.Name, "Seconds": int(c.wait().Seconds())},
		Err:  fmt.Errorf("cups %s: %w: %w", c.Name, sentinel, err),
	}
}

func (c Queue) wait() time.Duration {
	if c.Wait > 0 {
		return c.Wait
	}
	return DefaultWait
}

// queueName reports whether s can be a CUPS queue name: letters, digits,
// '-', '_', '.' and '@', at most 127 bytes.
func queueName(s string) bool {
	if s == "" || len(s) > 127 {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("-_.@", r)) {
			return false
		}
	}
	return true
}

// cupsClient talks IPP to one queue.
type cupsClient struct {
	c    Queue
	http *http.Client
	url  string // the HTTP address of the queue
	uri  string // the queue's printer-uri
	user string
}

func (c Queue) client() *cupsClient {
	return newClient(c, "/printers/"+url.PathEscape(c.Name))
}

// newClient returns a client of the server of c, posting to path.
func newClient(c Queue, path string) *cupsClient {
	server := c.Server
	if server == "" {
		server = os.Getenv("CUPS_SERVER")
	}
	if server == "" {
		server = "localhost:631"
		if _, err := os.Stat(defaultSocket); err == nil {
			server = defaultSocket
		}
	}
	tr := &http.Transport{DisableKeepAlives: true}
	host, scheme, ipp := server, "http://", "ipp://"
	switch {
	case strings.HasPrefix(server, "/"):
		host = "localhost"
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", server)
		}
	case !loopback(server):
		scheme, ipp = "https://", "ipps://"
	}
	return &cupsClient{
		c:    c,
		http: &http.Client{Transport: tr, Timeout: 30 * time.Second},
		url:  scheme + host + path,
		uri:  ipp + host + path,
		user: userName(),
	}
}

// loopback reports whether the host of host:port is this machine.
func loopback(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// defaultSocket is cupsd's Unix socket on Debian.
const defaultSocket = "/run/cups/cups.sock"

// userName is the requesting-user-name: the job's owner in cupsd.
var userName = sync.OnceValue(func() string {
	if u, err := user.Current(); err == nil && queueName(u.Username) {
		return u.Username
	}
	return "pinsede"
})

// request returns a request for op on the queue.
func (cl *cupsClient) request(op uint16) *ippRequest {
	r := &ippRequest{op: op, id: 1}
	r.add(tagCharset, "attributes-charset", "utf-8")
	r.add(tagLanguage, "attributes-natural-language", "en")
	r.add(tagURI, "printer-uri", cl.uri)
	r.add(tagName, "requesting-user-name", cl.user)
	return r
}

// maxAnswerBytes bounds what is read of an answer of cupsd: the largest
// is a list of queues (ListPrinters), a few hundred bytes a queue.
const maxAnswerBytes = 1 << 20

// errAnswerTooLarge is the cause of an answer longer than maxAnswerBytes.
var errAnswerTooLarge = errors.New("ipp: answer too large")

// do sends r with the document doc (or none) and decodes the answer.
func (cl *cupsClient) do(ctx context.Context, r *ippRequest, doc []byte) (*ippResponse, error) {
	head := r.encode()
	body := io.MultiReader(bytes.NewReader(head), bytes.NewReader(doc))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cl.url, body)
	if err != nil {
		return nil, cl.c.fail(ErrNoCUPS, err)
	}
	req.ContentLength = int64(len(head) + len(doc))
	req.Header.Set("Content-Type", "application/ipp")
	resp, err := cl.http.Do(req)
	if err != nil {
		if ctx.Err() != nil { // the caller gave up: not cupsd's fault
			return nil, cl.c.fail(ErrJobFailed, ctx.Err())
		}
		return nil, cl.c.fail(ErrNoCUPS, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, cl.c.fail(ErrNoCUPS, fmt.Errorf("http %s", resp.Status))
	}
	if resp.ContentLength > maxAnswerBytes {
		return nil, cl.c.fail(ErrNoCUPS, errAnswerTooLarge)
	}
	lim := &io.LimitedReader{R: resp.Body, N: maxAnswerBytes + 1}
	res, err := decodeIPP(lim)
	switch {
	case lim.N == 0:
		return nil, cl.c.fail(ErrNoCUPS, errAnswerTooLarge)
	case err != nil:
		return nil, cl.c.fail(ErrNoCUPS, err)
	}
	return res, nil
}

// ready checks that the queue exists and can print now.
func (cl *cupsClient) ready(ctx context.Context) error {
	r := cl.request(opGetPrinterAttributes)
	r.add(tagKeyword, "requested-attributes", "printer-state", "printer-state-reasons", "printer-is-accepting-jobs")
	res, err := cl.do(ctx, r, nil)
	if err != nil {
		return err
	}
	switch res.status {
	case statusOK:
	case statusNotFound:
		return cl.c.fail(ErrPrinterMissing, errors.New("no such queue"))
	default:
		return cl.c.fail(ErrNoCUPS, fmt.Errorf("get-printer-attributes: ipp status %#04x", res.status))
	}
	if accepting, ok := res.bool("printer-is-accepting-jobs"); ok && !accepting {
		return cl.c.fail(ErrPrinterStopped, errors.New("queue rejects jobs"))
	}
	return cl.printerProblem(res)
}

// printerProblem returns the failure that the printer's state and reasons
// tell, or nil when nothing stops it from printing.
func (cl *cupsClient) printerProblem(res *ippResponse) error {
	for _, reason := range res.strings("printer-state-reasons") {
		if strings.HasSuffix(reason, "-warning") {
			continue
		}
		base := strings.TrimSuffix(strings.TrimSuffix(reason, "-error"), "-report")
		switch base {
		case "media-empty", "media-needed":
			return cl.c.fail(ErrOutOfPaper, errors.New(reason))
		case "offline":
			return cl.c.fail(ErrPrinterOffline, errors.New(reason))
		case "paused", "shutdown", "stopped":
			return cl.c.fail(ErrPrinterStopped, errors.New(reason))
		}
	}
	if state, _ := res.int("printer-state"); state == ippPrinterStop {
		return cl.c.fail(ErrPrinterStopped, fmt.Errorf("printer-state stopped, reasons %v", res.strings("printer-state-reasons")))
	}
	return nil
}

// submit sends the job and returns its id.
func (cl *cupsClient) submit(ctx context.Context, job Job) (int, error) {
	r := cl.request(opPrintJob)
	r.add(tagName, "job-name", job.Title)
	r.add(tagMimeType, "document-format", "application/pdf")
	// Print at 100 %: the address must fall in the envelope's window.
	r.job = []ippAttr{
		{tag: tagKeyword, name: "print-scaling", values: [][]byte{[]byte("none")}},
		{tag: tagBoolean, name: "fit-to-page", values: [][]byte{{0}}},
		{tag: tagInteger, name: "copies", values: [][]byte{{0, 0, 0, 1}}},
	}
	res, err := cl.do(ctx, r, job.PDF)
	if err != nil {
		return 0, err
	}
	switch res.status {
	case statusOK, 0x0001, 0x0002: // ok, ok-ignored-or-substituted, ok-conflicting
	case statusNotFound:
		return 0, cl.c.fail(ErrPrinterMissing, errors.New("no such queue"))
	case statusNotAccepted:
		return 0, cl.c.fail(ErrPrinterStopped, errors.New("queue rejects jobs"))
	default:
		return 0, cl.c.fail(ErrJobFailed, fmt.Errorf("print-job: ipp status %#04x", res.status))
	}
	id, ok := res.int("job-id")
	if !ok {
		return 0, cl.c.fail(ErrJobFailed, errors.New("print-job: no job-id in the answer"))
	}
	return id, nil
}

// follow polls the job until it is printed, fails, stalls on a printer
// problem, or the wait is over.
func (cl *cupsClient) follow(ctx context.Context, id int, progress func(JobState)) error {
	deadline := time.NewTimer(cl.c.wait())
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	printing := false
	for {
		r := cl.request(opGetJobAttributes)
		r.addInt(tagInteger, "job-id", int32(id))
		r.add(tagKeyword, "requested-attributes", "job-state", "job-state-reasons")
		res, err := cl.do(ctx, r, nil)
		if err != nil {
			return err
		}
		state, _ := res.int("job-state")
		switch {
		case res.status != statusOK:
			return cl.c.fail(ErrJobFailed, fmt.Errorf("get-job-attributes %d: ipp status %#04x", id, res.status))
		case state == ippJobCompleted:
			return nil
		case state == ippJobCanceled || state == ippJobAborted:
			return cl.c.fail(ErrJobFailed, fmt.Errorf("job %d ended %v", id, res.strings("job-state-reasons")))
		case state == ippJobProcessing && !printing:
			printing = true
			progress(JobPrinting)
		}
		if state == ippJobPending || state == ippJobHeld || state == ippJobProcessing || state == ippJobStopped {
			// A job waiting on a printer that cannot print will not get
			// out of the spool by itself.
			p := cl.request(opGetPrinterAttributes)
			p.add(tagKeyword, "requested-attributes", "printer-state", "printer-state-reasons")
			pres, err := cl.do(ctx, p, nil)
			if err != nil {
				return err
			}
			if err := cl.printerProblem(pres); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return cl.c.fail(ErrJobFailed, ctx.Err())
		case <-deadline.C:
			return cl.c.fail(ErrJobTimeout, fmt.Errorf("job %d not printed in %v", id, cl.c.wait()))
		case <-tick.C:
		}
	}
}

// cancel cancels the job and purges it from cupsd's history and spool. It
// is the clean-up after a failure: its own failure is not reported.
func (cl *cupsClient) cancel(ctx context.Context, id int) {
	r := cl.request(opCancelJob)
	r.addInt(tagInteger, "job-id", int32(id))
	r.addBool("purge-job", true)
	cl.do(ctx, r, nil)
}
