package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/smallfile"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/ui/desk"
)

// syncFlags are the flags of the central records. Without -centrale the
// desk works offline: nothing is pushed, and its slips say the PIN is
// already active.
type syncFlags struct {
	url, cert, key, ca string
}

// centraleFlags are the flags given, defined on the command line's flag set.
var centraleFlags = func() *syncFlags {
	f := &syncFlags{}
	flag.StringVar(&f.url, "centrale", "", "")
	flag.StringVar(&f.cert, "cert", "", "")
	flag.StringVar(&f.key, "certkey", "", "")
	flag.StringVar(&f.ca, "ca", "", "")
	return f
}()

// syncLink is the sync with centrale, running; its zero value is the
// offline desk.
type syncLink struct {
	client *client.Client
	sede   string // the sede code of the certificate
	desk   string // the desk id of the certificate (pki.DeskOf); "" for none
	// expires is when the certificate stops working, its own end or its
	// CA's if that comes first (pki.ChainEnd): the desk warns before.
	expires time.Time
	cancel  context.CancelFunc
	done    chan struct{}
}

// startSync starts the sync of store with centrale when f has its URL: it
// reads the certificate, checks that it names the store's sede (once the
// sede is set up), and runs the client until stop. Without a URL it returns
// the zero syncLink: the offline desk. The client applies what it brings
// through d, on d's clock.
func startSync(store *local.Store, d *pinsede.Desk, f syncFlags) (*syncLink, error) {
	if f.url == "" {
		if f.cert != "" || f.key != "" || f.ca != "" {
			return nil, errors.New(lang.L("start.sync.nourl"))
		}
		return &syncLink{}, nil
	}
	if f.cert == "" || f.key == "" || f.ca == "" {
		return nil, errors.New(lang.L("start.sync.flags"))
	}
	read := func(p string) ([]byte, error) {
		b, err := smallfile.ReadRegular(p, "PEM", pki.MaxPEMBytes)
		if err != nil {
			return nil, errors.New(lang.L("start.sync.read", map[string]any{"Err": err.Error()}))
		}
		return b, nil
	}
	caPEM, err := read(f.ca)
	if err != nil {
		return nil, err
	}
	certPEM, err := read(f.cert)
	if err != nil {
		return nil, err
	}
	keyPEM, err := read(f.key)
	if err != nil {
		return nil, err
	}
	cert, err := pki.ParseCert(certPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.cert, err)
	}
	role, code, err := pki.Identity(cert)
	if err != nil || role != pki.RoleSede {
		return nil, errors.New(lang.L("start.sync.notsede", map[string]any{"Cert": f.cert}))
	}
	desk, err := pki.DeskOf(cert)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.cert, err)
	}
	if sede, err := storeSede(store); err != nil {
		return nil, err
	} else if sede != "" && sede != code {
		return nil, errors.New(lang.L("start.sync.wrongsede", map[string]any{"Cert": f.cert, "CertSede": code, "Sede": sede}))
	}
	tlsCfg, err := pki.ClientTLS(caPEM, certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig:     tlsCfg,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		TLSHandshakeTimeout: 10 * time.Second,
	}}
	l := &syncLink{
		client:  client.New(client.Config{URL: f.url, HTTP: hc, Sede: code, Local: store, Desk: d, Now: d.Now, NotBefore: cert.NotBefore}),
		sede:    code,
		desk:    desk,
		expires: pki.ChainEnd(caPEM, cert),
		done:    make(chan struct{}),
	}
	var ctx context.Context
	ctx, l.cancel = context.WithCancel(context.Background())
	go func() {
		defer close(l.done)
		l.client.Run(ctx)
	}()
	return l, nil
}

// storeSede returns the code of the store's sede, "" before set-up.
func storeSede(store *local.Store) (string, error) {
	var code string
	err := store.View(func(tx pinsede.Tx) error {
		s, err := tx.Sede()
		if errors.Is(err, pinsede.ErrNotFound) {
			return nil
		}
		code = s.Code
		return err
	})
	return code, err
}

// link returns the client as the desk's link, nil when offline.
func (l *syncLink) link() pinsede.Link {
	if l == nil || l.client == nil {
		return nil
	}
	return l.client
}

// certExpires returns when the certificate expires, zero when offline.
func (l *syncLink) certExpires() time.Time {
	if l == nil {
		return time.Time{}
	}
	return l.expires
}

// source returns the client as what the desk shows, nil when offline.
func (l *syncLink) source() desk.SyncSource {
	if l == nil || l.client == nil {
		return nil
	}
	return l.client
}

// stop ends the sync and waits for it, at most a few seconds.
func (l *syncLink) stop() {
	if l == nil || l.client == nil {
		return
	}
	l.cancel()
	select {
	case <-l.done:
	case <-time.After(5 * time.Second):
	}
}
