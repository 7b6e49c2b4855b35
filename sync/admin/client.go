package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

var _ Records = (*Client)(nil)

// ErrNotRunning is returned by a Client when nothing answers on its
// socket: centrale is not running, or listens on another one.
var ErrNotRunning = errors.New("centrale does not answer on its admin socket")

// maxAnswer bounds an answer: an Overview of MaxOverviewDesks desks is
// the largest.
const maxAnswer = 16 << 20

// Client calls a running centrale on its admin socket. Its methods take
// centrale's clock: the at they are given is not sent.
type Client struct {
	socket string
	hc     *http.Client
}

// Dial returns a Client of the centrale listening on the Unix socket at
// path. It connects at each call.
func Dial(path string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
		DisableKeepAlives: true,
	}
	return &Client{socket: path, hc: &http.Client{Transport: tr, Timeout: time.Minute}}
}

// Unlock lifts the locks of cf's credentials, by by.
func (c *Client) Unlock(ctx context.Context, cf pinsede.CodiceFiscale, by string, _ time.Time) ([]central.Record, error) {
	var out []central.Record
	return out, c.call(ctx, http.MethodPost, "/v1/unlock", UnlockRequest{CodiceFiscale: cf, By: by}, &out)
}

// Revoke revokes a credential, by by for reason.
func (c *Client) Revoke(ctx context.Context, id, by, reason string, _ time.Time) (central.Record, error) {
	var out central.Record
	return out, c.call(ctx, http.MethodPost, "/v1/revoke", RevokeRequest{CredentialID: id, By: by, Reason: reason}, &out)
}

// Credentials returns cf's credentials, without their PIN hashes.
func (c *Client) Credentials(ctx context.Context, cf pinsede.CodiceFiscale) ([]central.Record, error) {
	var out []central.Record
	return out, c.call(ctx, http.MethodPost, "/v1/credentials", CredentialsRequest{CodiceFiscale: cf}, &out)
}

// Overview returns the state of the sedi at centrale's time, over
// StatusDays days whatever days says.
func (c *Client) Overview(ctx context.Context, _ time.Time, _ int) (central.Overview, error) {
	var out central.Overview
	return out, c.call(ctx, http.MethodGet, "/v1/sedi", nil, &out)
}

// AuditForks lists the open audit forks.
func (c *Client) AuditForks(ctx context.Context) ([]central.AuditFork, error) {
	var out []central.AuditFork
	return out, c.call(ctx, http.MethodGet, "/v1/audit/forks", nil, &out)
}

// ResetAudit accepts a desk's chain, at centrale's time.
func (c *Client) ResetAudit(ctx context.Context, r central.AuditReset) (central.AuditReset, error) {
	var out central.AuditReset
	return out, c.call(ctx, http.MethodPost, "/v1/audit/reset", r, &out)
}

// Close releases the idle connections.
func (c *Client) Close() error {
	c.hc.CloseIdleConnections()
	return nil
}

// call sends body (nil: none) to path and decodes the answer into out, or
// returns the error its problem names.
func (c *Client) call(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://centrale"+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", wire.ContentJSON)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Op == "dial" {
			if errors.Is(oe.Err, fs.ErrPermission) {
				return fmt.Errorf("admin socket %s: %w: run this as root or as the user centrale runs as", c.socket, fs.ErrPermission)
			}
			return fmt.Errorf("%w (%s): %v", ErrNotRunning, c.socket, oe.Err)
		}
		return fmt.Errorf("centrale at %s: %w", c.socket, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("centrale at %s: %w", c.socket, err)
	}
	if resp.StatusCode != http.StatusOK {
		var p wire.Problem
		if json.Unmarshal(b, &p) != nil || p.Type == "" {
			return fmt.Errorf("centrale at %s answered %s", c.socket, resp.Status)
		}
		for _, k := range problems {
			if p.Type == wire.ProblemPrefix+k.slug {
				return &remoteError{msg: p.Detail, err: k.err}
			}
		}
		return &p
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("centrale at %s: answer: %w", c.socket, err)
	}
	return nil
}

// remoteError is an error of the records at centrale: its message is
// centrale's, and it wraps the sentinel error of its problem type, as
// the store's own error does.
type remoteError struct {
	msg string
	err error
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.err }
