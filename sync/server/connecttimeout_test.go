package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that a push while the database host is gone without closing
// its connections (its connects accepted and never answered) is
// answered 503 store-down with Retry-After 5 after one connect, given
// up at pgstore.ConnectTimeout, well inside the request's deadline
// (server.DefaultRequestTimeout, 28 s), and logged as the store
// unavailable. Before, the connect had no bound: the push waited its
// whole deadline and was answered 503 busy "ran out of time", and every
// request after it waited as long for a connection of the pool.
func TestStoreHostGoneAnsweredWithinConnectTimeout(t *testing.T) {
	var host *outageHost
	store, env, logw := centraleBehind(t, func(pg string) string { // outage_test.go
		host = newOutageHost(t, pg)
		return host.Addr()
	})
	sede := env.Client(t, pki.RoleSede, "S1")
	sede.Timeout = 0 // the server's deadline answers
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	push := func(i int) reply { return pushIssue(t, sede, env.URL, h, i) }
	if a := push(0); a.status != http.StatusOK {
		t.Fatalf("push before the host went: %+v", a)
	}

	host.setCut(true)
	store.Pool().Reset()
	a := push(1)
	if want := (reply{http.StatusServiceUnavailable, "5", wire.ProblemStoreDown}); a != want {
		t.Errorf("push with the database host gone: %+v, want %+v: the connect given up before the request's deadline", a, want)
	}
	if n := host.held.Load(); n != 1 {
		t.Errorf("the push connected %d times to the host gone, want once", n)
	}
	if logs := logw.String(); !strings.Contains(logs, `msg="central store unavailable`) {
		t.Errorf("log says nothing of the store unavailable:\n%s", logs)
	}
}
