package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log"
	"log/slog"
	"net/http"
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
