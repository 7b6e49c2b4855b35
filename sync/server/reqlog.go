package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log"
	"log/slog"
	"net/http"
	"strings"
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

// ErrorLog returns the logger for http.Server.ErrorLog: a failed TLS
// handshake (a client without a certificate, a connection opened and
// left idle, a port scan) is counted in m by reason and logged at debug
// level only, so that 2,000 idle connections make no 2,000 lines; any
// other error of net/http is a warning on l.
func ErrorLog(l *slog.Logger, m *Metrics) *log.Logger {
	return log.New(errorLogWriter{l, m}, "", 0)
}

// errorLogWriter is the writer of ErrorLog.
type errorLogWriter struct {
	log *slog.Logger
	m   *Metrics
}

// handshakePrefix starts net/http's line for a failed TLS handshake.
const handshakePrefix = "http: TLS handshake error from "

// Write logs one line of net/http's logger.
func (w errorLogWriter) Write(p []byte) (int, error) {
	msg := string(bytes.TrimRight(p, "\n"))
	if rest, ok := strings.CutPrefix(msg, handshakePrefix); ok {
		reason := handshakeReason(rest)
		if w.m != nil {
			w.m.handshakeErrs.WithLabelValues(reason).Inc()
		}
		w.log.Debug("TLS handshake failed", "reason", reason, "detail", rest)
		return len(p), nil
	}
	w.log.Warn(msg)
	return len(p), nil
}

// handshakeReason sorts a handshake error into a few reasons, for a
// bounded label.
func handshakeReason(detail string) string {
	switch {
	case strings.Contains(detail, "EOF") || strings.Contains(detail, "connection reset"):
		return "eof"
	case strings.Contains(detail, "timeout"):
		return "timeout"
	case strings.Contains(detail, "didn't provide a certificate"):
		return "no_certificate"
	case strings.Contains(detail, "certificate"):
		return "bad_certificate"
	}
	return "other"
}
