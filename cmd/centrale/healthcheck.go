package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// runHealthcheck GETs /healthz on centrale's management listener and
// returns 0 when it answers 200, 1 otherwise: the health check of a
// container image that has no curl (Containerfile, FROM scratch). The
// address is -manage, else $PINSEDE_CENTRALE_MANAGE, else centrale's
// default; a listener on every address (0.0.0.0:8442, [::]:8442) is asked
// on loopback.
func runHealthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := subFlags("centrale healthcheck", "usage: centrale healthcheck [-manage ADDR] [-path /healthz] [-timeout D]", stderr)
	def := os.Getenv(EnvPrefix + "MANAGE")
	if def == "" {
		def = DefaultManage
	}
	addr := fs.String("manage", def, "`address` of centrale's management listener (default $"+EnvPrefix+"MANAGE, else "+DefaultManage+")")
	path := fs.String("path", "/healthz", "the `path` to GET: /healthz (alive) or /readyz (ready)")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this `duration`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || *addr == "" {
		fs.Usage()
		return 2
	}
	url, err := healthURL(*addr, *path)
	if err != nil {
		fmt.Fprintln(stderr, "centrale healthcheck:", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintln(stderr, "centrale healthcheck:", err)
		return 2
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(stderr, "centrale healthcheck:", err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "centrale healthcheck: %s: %s\n%s", url, resp.Status, body)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %s", url, body)
	return 0
}

// healthURL returns the URL of path on the management listener at addr,
// with an unspecified host (every address) replaced by loopback.
func healthURL(addr, path string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("-manage %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	return "http://" + net.JoinHostPort(host, port) + path, nil
}
