package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RequestIDHeader is the response header that carries a request's id,
// the request_id of its log lines: a desk or the portal quotes it to
// find the request in centrale's log.
const RequestIDHeader = "X-Request-Id"

// requestIDKey is the context key of a request's id.
type requestIDKey struct{}

// withNewRequestID gives r a new id, in its context and in w's
// RequestIDHeader, and returns r with that context.
func withNewRequestID(w http.ResponseWriter, r *http.Request) *http.Request {
	var b [8]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	w.Header().Set(RequestIDHeader, id)
	return r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
}

// RequestID returns the id of the request ctx belongs to; "" outside a
// request.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// WithRequestID returns a handler that adds request_id to the records
// logged with the context of a request (Logger.InfoContext and the
// like), and passes them to h.
func WithRequestID(h slog.Handler) slog.Handler {
	if _, ok := h.(requestIDHandler); ok {
		return h
	}
	return requestIDHandler{h}
}

// requestIDHandler is the handler of WithRequestID.
type requestIDHandler struct{ slog.Handler }

// Handle adds the request id of ctx to r, if any.
func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the request id in the handler returned.
func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

// WithGroup keeps the request id in the handler returned.
func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// ErrorLog returns the logger for http.Server.ErrorLog: each line of
// net/http is a warning on l. Failed TLS handshakes never reach it: the
// Listener makes them, and counts them.
func ErrorLog(l *slog.Logger) *log.Logger {
	return log.New(errorLogWriter{l}, "", 0)
}

// errorLogWriter is the writer of ErrorLog.
type errorLogWriter struct{ log *slog.Logger }

// Write logs one line of net/http's logger.
func (w errorLogWriter) Write(p []byte) (int, error) {
	w.log.Warn(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// MaxLoggedText is the most bytes of a string a request chose (its path,
// its method) that centrale writes in a log line or echoes in an answer:
// a path may be as long as the header's 16 KiB, and every client
// certificate, the kiosk's included, could write that much log a request.
const MaxLoggedText = 256

// logText returns s, a string a request chose, fit for a log line or an
// answer: its control characters and invalid bytes escaped, and cut at
// MaxLoggedText bytes with its length said.
func logText(s string) string {
	cut := len(s) > MaxLoggedText
	t := s
	if cut {
		t = strings.ToValidUTF8(s[:MaxLoggedText], "")
	}
	q := strconv.Quote(t)
	q = q[1 : len(q)-1]
	if cut {
		q += fmt.Sprintf("... (%d bytes)", len(s))
	}
	return q
}

// lineRates rates log lines by key, a client certificate (and, for the
// request lines, their status): each key's come at most once every
// refusedLogEvery, the next telling how many were held back meanwhile,
// so that a client sending bad requests in a loop writes a line every
// 10 s, not one a request. It keeps at most maxRatedCerts keys, and
// forgets them all at once past it.
type lineRates struct {
	mu    sync.Mutex
	certs map[string]*logRate
}

// maxRatedCerts bounds the certificates lineRates keeps, about 100
// bytes each.
const maxRatedCerts = 1 << 14

// event counts a line of the certificate key at now, and returns
// whether it is logged, and then how many lines were held back since
// the certificate's last.
func (e *lineRates) event(key string, now time.Time) (int, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.certs[key]
	if r == nil {
		if e.certs == nil || len(e.certs) >= maxRatedCerts {
			e.certs = map[string]*logRate{}
		}
		r = &logRate{}
		e.certs[key] = r
	}
	n, ok := r.event(now)
	return max(n-1, 0), ok
}
