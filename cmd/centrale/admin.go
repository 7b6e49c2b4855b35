package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/pinsede/pinsede/sync/admin"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/server"
)

// DefaultAdminSocket is where centrale listens for its operators'
// subcommands (-admin), and where they call it: the runtime folder the
// systemd unit makes (RuntimeDirectory=pinsede).
const DefaultAdminSocket = "/run/pinsede/centrale.sock"

// adminSocketDefault is the socket the subcommands call: -admin, else
// $PINSEDE_CENTRALE_ADMIN, else DefaultAdminSocket.
func adminSocketDefault() string {
	if p := os.Getenv(EnvPrefix + "ADMIN"); p != "" {
		return p
	}
	return DefaultAdminSocket
}

// adminServer serves the admin API (sync/admin) on the Unix socket at
// path. The socket is made 0600 under a temporary name and renamed into
// place, so that it is never reachable with wider permissions; a
// connection from another user than centrale's or root is closed at
// once (peerAllowed), whatever the file's permissions. It returns nil,
// and a warning in the log, when path is the default and its folder
// cannot hold it (centrale run by hand, outside systemd): the
// subcommands then reach it only through PostgreSQL.
func adminServer(path string, store central.Store, now func() time.Time, log *slog.Logger) (*http.Server, net.Listener, error) {
	ln, err := listenAdmin(path)
	switch {
	case err != nil && path == DefaultAdminSocket:
		log.Warn("no admin socket: the subcommands cannot reach this centrale (with -postgres they connect to the database); give -admin a file in a folder centrale may write",
			"socket", path, "err", err)
		return nil, nil, nil
	case err != nil:
		return nil, nil, fmt.Errorf("admin socket: %w", err)
	}
	hs := &http.Server{
		Handler:           admin.Handler(store, now, log),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          server.ErrorLog(log),
	}
	return hs, &peerListener{Listener: ln, log: log}, nil
}

// listenAdmin listens on the Unix socket at path, in place of a socket
// nobody answers on (left by a centrale that was killed), and removes it
// when closed.
func listenAdmin(path string) (net.Listener, error) {
	if c, err := net.Dial("unix", path); err == nil {
		c.Close()
		return nil, fmt.Errorf("another centrale answers on %s", path)
	}
	tmp := filepath.Join(filepath.Dir(path), fmt.Sprintf(".%s.%d", filepath.Base(path), os.Getpid()))
	os.Remove(tmp)
	ln, err := net.Listen("unix", tmp)
	if err != nil {
		return nil, err
	}
	ul := ln.(*net.UnixListener)
	ul.SetUnlinkOnClose(false)
	if err := os.Chmod(tmp, 0o600); err != nil {
		ln.Close()
		os.Remove(tmp)
		return nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		ln.Close()
		os.Remove(tmp)
		return nil, err
	}
	return &removing{UnixListener: ul, path: path}, nil
}

// removing is a Unix listener that removes its socket file when closed.
type removing struct {
	*net.UnixListener
	path string
}

// Close stops listening and removes the socket.
func (r *removing) Close() error {
	err := r.UnixListener.Close()
	os.Remove(r.path)
	return err
}

// peerListener closes at once the connections of a user not allowed
// (peerAllowed), and logs them.
type peerListener struct {
	net.Listener
	log *slog.Logger
}

// Accept returns the next connection of an allowed user.
func (l *peerListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if uid, ok := peerAllowed(c); !ok {
			l.log.Warn("admin socket: connection of another user refused", "uid", uid)
			c.Close()
			continue
		}
		return c, nil
	}
}
