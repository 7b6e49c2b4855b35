package testenv

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/certtest"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/wire"
)

// BuildCentrale builds cmd/centrale into dir and returns its path.
func BuildCentrale(t testing.TB, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "centrale")
	cmd := exec.Command("go", "build", "-buildvcs=false", "-o", bin, "github.com/pinsede/pinsede/cmd/centrale")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// PKIDir makes a CA in dir, as pinctl ca init does, with centrale's
// certificate for 127.0.0.1 as server.crt and server.key: the -pki
// folder of a centrale process. It returns the CA.
func PKIDir(t testing.TB, dir string) *pki.CA {
	t.Helper()
	ca, err := pki.Init(dir, "test CA", time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	certtest.WriteServer(t, ca, dir, time.Now())
	return ca
}

// Process is a centrale process of a test, with what it logged.
type Process struct {
	// Pid is the process's id: /proc/PID tells its descriptors.
	Pid  int
	mu   sync.Mutex
	logs bytes.Buffer
	// grew is closed, and replaced, at each write.
	grew chan struct{}
}

// Await waits until the process has logged a line with the message msg
// (`msg="msg"`), and fails the test if it has not within a minute.
func (p *Process) Await(t testing.TB, msg string) {
	t.Helper()
	p.AwaitText(t, `msg="`+msg+`"`)
}

// AwaitText waits until what the process logged holds text, and fails
// the test if it does not within a minute: a line the process writes
// after an event the test made (a connection refused) reaches its logs
// through a pipe and a goroutine, some time after the event.
func (p *Process) AwaitText(t testing.TB, text string) {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		p.mu.Lock()
		if p.grew == nil {
			p.grew = make(chan struct{})
		}
		found, grew := strings.Contains(p.logs.String(), text), p.grew
		p.mu.Unlock()
		if found {
			return
		}
		select {
		case <-grew:
		case <-timeout:
			t.Fatalf("centrale did not log %q within a minute:\n%s", text, p.Logs())
		}
	}
}

// Logs returns what the process wrote, stdout and stderr.
func (p *Process) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// Write appends to the process's logs.
func (p *Process) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.grew != nil {
		close(p.grew)
		p.grew = nil
	}
	return p.logs.Write(b)
}

// StartCentrale runs the centrale binary bin with args (text logs), and
// returns once it logged a line with the message until (`msg="until"`),
// with the rest of that line. The process is stopped with SIGINT when
// the test ends, and must then exit 0.
func StartCentrale(t testing.TB, bin, until string, args ...string) (*Process, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &Process{}
	cmd.Stderr = p
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.Pid = cmd.Process.Pid
	done := make(chan struct{})
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		<-done
		if err := cmd.Wait(); err != nil {
			t.Errorf("centrale: %v\n%s", err, p.Logs())
		}
		if t.Failed() {
			t.Logf("centrale:\n%s", p.Logs())
		}
	})
	found := make(chan string, 1)
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(p, line)
			if _, rest, ok := strings.Cut(line, `msg="`+until+`"`); ok {
				select {
				case found <- strings.TrimSpace(rest):
				default:
				}
			}
		}
		close(found)
	}()
	rest, ok := <-found
	if !ok {
		t.Fatalf("centrale did not log %q:\n%s", until, p.Logs())
	}
	return p, rest
}

// CertClient returns an HTTPS client of a centrale of the CA caPEM, with
// the certificate and key that issue makes (pki.CA.Issue, IssueDesk).
func CertClient(t testing.TB, caPEM []byte, issue func() (certPEM, keyPEM []byte, err error)) *http.Client {
	t.Helper()
	certPEM, keyPEM, err := issue()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pki.ClientTLS(caPEM, certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{TLSClientConfig: cfg}}
}

// Call sends a JSON body (GET when in is nil) to url and decodes the 200
// answer into out. It may run on any goroutine.
func Call(c *http.Client, url string, in, out any) error {
	var resp *http.Response
	var err error
	if in == nil {
		resp, err = c.Get(url)
	} else {
		b, merr := json.Marshal(in)
		if merr != nil {
			return merr
		}
		resp, err = c.Post(url, wire.ContentJSON, bytes.NewReader(b))
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s: read answer: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s %s", url, resp.Status, b)
	}
	return json.Unmarshal(b, out)
}
