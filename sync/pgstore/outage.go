package pgstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pinsede/pinsede/sync/central"
)

// ProbeApplicationName is the application_name of the probes' connects
// (outage): PostgreSQL's log and pg_stat_activity tell them from the
// requests' by it.
const ProbeApplicationName = "pinsede centrale probe"

// The waits between two probes of an outage: the first, doubled after
// each probe that could not connect, up to the last. A probe that gets
// no answer takes ConnectTimeout besides.
const (
	probeFirst = 250 * time.Millisecond
	probeLast  = 2 * time.Second
)

// outage is what the store knows of PostgreSQL's reachability. It is
// down from a connect of the pool that could not reach PostgreSQL
// (unreachable: refused, not answered within ConnectTimeout, a server
// starting up or out of connection slots) until a probe's connect
// reaches it: meanwhile the pool's connects are refused at once,
// central.ErrUnavailable (gate), so that the requests are answered at
// once rather than each waiting for a connect of its own, and one probe
// at a time connects, its waits backing off from probeFirst to
// probeLast. Before, a database host gone without closing its sockets
// held each of the pool's connections 5 s a connect, and past 20
// requests at once the others waited their whole deadline (28 s).
//
// It is the pool's connections' tracer (pgx.ConnectTracer), which sees
// each connect's end before the pool lets another connect take its
// place.
type outage struct {
	// cfg is the probes' connection configuration.
	cfg *pgconn.Config
	// ctx ends the probes (stop, at Close); wg waits for them.
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu   sync.Mutex
	down bool
	// err is the last connect's failure while down, a *ConnectError.
	err error
}

// newOutage returns the outage watch of the pool of cfg, up.
func newOutage(cfg *pgx.ConnConfig) *outage {
	pc := cfg.Copy().Config
	pc.RuntimeParams["application_name"] = ProbeApplicationName
	ctx, stop := context.WithCancel(context.Background())
	return &outage{cfg: &pc, ctx: ctx, stop: stop}
}

// gate is the pool's BeforeConnect: while down it refuses the connect,
// central.ErrUnavailable with the last connect's failure.
func (o *outage) gate(context.Context, *pgx.ConnConfig) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.down {
		return nil
	}
	return fmt.Errorf("%w: no connect until a probe reaches PostgreSQL: %w", central.ErrUnavailable, o.err)
}

// TraceConnectStart returns ctx.
func (o *outage) TraceConnectStart(ctx context.Context, _ pgx.TraceConnectStartData) context.Context {
	return ctx
}

// TraceConnectEnd takes the store down when the connect could not reach
// PostgreSQL, and starts the probe.
func (o *outage) TraceConnectEnd(_ context.Context, data pgx.TraceConnectEndData) {
	if data.Err == nil || !unreachable(data.Err) {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.err = connectError(o.cfg, data.Err)
	if o.down || o.ctx.Err() != nil {
		return
	}
	o.down = true
	o.wg.Add(1)
	go o.probe()
}

// TraceQueryStart returns ctx: the tracer is the connects'.
func (o *outage) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

// TraceQueryEnd does nothing.
func (o *outage) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// probe connects, after each wait, until a connect reaches PostgreSQL or
// the store closes, and then takes the store up: a refusal of the
// connection string reaches it too, and the requests are then told it.
func (o *outage) probe() {
	defer o.wg.Done()
	for wait := probeFirst; ; wait = min(2*wait, probeLast) {
		t := time.NewTimer(wait)
		select {
		case <-o.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		c, err := pgconn.ConnectConfig(o.ctx, o.cfg)
		if err == nil {
			c.Close(o.ctx)
		}
		o.mu.Lock()
		if err == nil || !unreachable(err) {
			o.down = false
			o.mu.Unlock()
			return
		}
		o.err = connectError(o.cfg, err)
		o.mu.Unlock()
	}
}

// close stops the probe and waits for it.
func (o *outage) close() {
	o.stop()
	o.wg.Wait()
}
