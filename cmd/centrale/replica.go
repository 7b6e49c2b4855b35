package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/pinsede/pinsede/sync/server"
)

// replicaName names this replica for the others on its store: its host
// and its API's address.
func replicaName(api string) string {
	host, err := os.Hostname()
	if err != nil {
		host = "?"
	}
	return host + " " + api
}

// replicaSettings returns the settings every replica on one store must
// share (server.Settings), named as the "centrale listening" line names
// them, with their defaults set as srv holds them: they judge the same
// request alike. The slots, queues, waits and connections bound each
// replica's own memory and cores, and may differ.
func replicaSettings(c config, srv *server.Server) server.Settings {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	l, vl, pv, ll := c.limits.WithDefaults(), srv.VerifyLimits(), srv.PushVolume(), srv.LookupLimits()
	return server.Settings{
		"lock_after":         strconv.Itoa(c.lock.After),
		"lock_for":           c.lock.For.String(),
		"lock_temporary":     strconv.Itoa(c.lock.MaxTemporary),
		"lock_reset":         c.lock.ResetAfter.String(),
		"pin_params":         paramsFlag{&l.PINParams}.String(),
		"max_clock_skew":     l.MaxSkew.String(),
		"max_event_age":      l.MaxAge.String(),
		"kiosk_tickets":      fmt.Sprint(l.Tickets),
		"policy_version":     fmt.Sprint(c.policy.Version),
		"verify_cert_rate":   f(vl.CertRate),
		"verify_cert_burst":  strconv.Itoa(vl.CertBurst),
		"verify_cf_rate":     f(vl.CFRate),
		"verify_cf_burst":    strconv.Itoa(vl.CFBurst),
		"push_events":        strconv.Itoa(pv.Events),
		"push_events_refill": pv.Refill.String(),
		"lookup_rate":        f(ll.Rate),
		"lookup_burst":       strconv.Itoa(ll.Burst),
	}
}
