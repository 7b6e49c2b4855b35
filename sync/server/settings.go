package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pinsede/pinsede/sync/central"
)

// ReplicaEvery is how often a replica publishes its settings, reads the
// others' and measures its clock (WatchReplicas); a replica not seen
// for ReplicaGone is taken for stopped.
const (
	ReplicaEvery = 30 * time.Second
	ReplicaGone  = 4 * ReplicaEvery
)

// Settings are a replica's settings, value by name, that every replica
// serving one store must share: the wrong-PIN lock, the hash policy, the
// rate limits, the bounds of pushed events. A replica restarted with
// another value judged the same request otherwise than the rest: a
// credential locked after 3 wrong PINs through one, 20 through another.
type Settings map[string]string

// text returns the settings one name=value a line, sorted by name.
func (ss Settings) text() string {
	lines := make([]string, 0, len(ss))
	for _, n := range slices.Sorted(maps.Keys(ss)) {
		lines = append(lines, n+"="+ss[n])
	}
	return strings.Join(lines, "\n")
}

// Fingerprint returns 16 hex digits that sum the settings: replicas
// that agree have the same.
func (ss Settings) Fingerprint() string { return fingerprint(ss.text()) }

// fingerprint sums the text of settings.
func fingerprint(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:8])
}

// replicaStore is a store several replicas share, where each publishes
// its settings for the others (PostgreSQL).
type replicaStore interface {
	PublishReplica(ctx context.Context, r central.Replica) error
	Replicas(ctx context.Context, within time.Duration) ([]central.Replica, error)
	DropReplica(ctx context.Context, id string) error
}

// replicaWatch is this replica as it publishes itself, and the others
// found with other settings.
type replicaWatch struct {
	mu   sync.Mutex
	self central.Replica
	// differ are the other replicas whose settings are not these, last
	// read.
	differ []replicaDiff
	// warned are the replicas of differ logged for their settings, by
	// id, with the fingerprint logged.
	warned map[string]string
	// published is set once this replica first published itself.
	published bool
}

// SetReplica sets the name (its host and API address) and the settings
// this replica publishes (CheckReplicas); /v1/health says their
// fingerprint.
func (s *Server) SetReplica(name string, settings Settings) {
	s.replicas.mu.Lock()
	defer s.replicas.mu.Unlock()
	if s.replicas.self.ID == "" {
		s.replicas.self.ID = rand.Text()
	}
	text := settings.text()
	s.replicas.self.Name, s.replicas.self.Settings, s.replicas.self.Fingerprint = name, text, fingerprint(text)
}

// CheckReplicas publishes this replica's settings in the store, reads
// the other replicas' seen within ReplicaGone, and keeps those whose
// settings differ for /v1/health, /readyz and the status page; it logs
// one WARN line for each, once for its settings. A store no other
// replica can share (bbolt) has none.
func (s *Server) CheckReplicas(ctx context.Context) error {
	rs, ok := s.Store.(replicaStore)
	if !ok {
		return nil
	}
	s.replicas.mu.Lock()
	self := s.replicas.self
	s.replicas.mu.Unlock()
	if self.ID == "" {
		return nil
	}
	if err := rs.PublishReplica(ctx, self); err != nil {
		return err
	}
	others, err := rs.Replicas(ctx, ReplicaGone)
	if err != nil {
		return err
	}
	var differ []replicaDiff
	var tell []central.Replica
	warned := map[string]string{} // the replicas seen now only: a restart is another
	s.replicas.mu.Lock()
	seen := 0
	for _, o := range others {
		if o.ID != self.ID {
			seen++
		}
		if o.ID == self.ID || o.Fingerprint == self.Fingerprint {
			continue
		}
		differ = append(differ, replicaDiff{Name: o.Name, Fingerprint: o.Fingerprint, Differ: settingsDiff(self.Settings, o.Settings)})
		if s.replicas.warned[o.ID] != o.Fingerprint {
			tell = append(tell, o)
		}
		warned[o.ID] = o.Fingerprint
	}
	s.replicas.differ, s.replicas.warned = differ, warned
	first := !s.replicas.published
	s.replicas.published = true
	s.replicas.mu.Unlock()
	if first && s.Log != nil {
		s.Log.InfoContext(ctx, "replica settings published", "replica", self.Name, "settings", self.Fingerprint, "other_replicas", seen)
	}
	for _, o := range tell {
		if s.Log != nil {
			s.Log.WarnContext(ctx, "another replica serving this store has other settings: the same request is judged otherwise by each; start them all with the same",
				"replica", o.Name, "settings", o.Fingerprint, "here", self.Fingerprint, "differ", diffText(settingsDiff(self.Settings, o.Settings)))
		}
	}
	return nil
}

// settingDiff is a setting whose value differs between another replica
// (Theirs) and this one (Ours); "none" where one has no such setting.
type settingDiff struct{ Name, Theirs, Ours string }

// settingsDiff returns the settings of theirs and ours (Settings.text)
// that differ, by name.
func settingsDiff(ours, theirs string) []settingDiff {
	parse := func(text string) map[string]string {
		m := map[string]string{}
		for l := range strings.SplitSeq(text, "\n") {
			if n, v, ok := strings.Cut(l, "="); ok {
				m[n] = v
			}
		}
		return m
	}
	o, t := parse(ours), parse(theirs)
	names := map[string]bool{}
	for n := range o {
		names[n] = true
	}
	for n := range t {
		names[n] = true
	}
	var out []settingDiff
	for _, n := range slices.Sorted(maps.Keys(names)) {
		if o[n] != t[n] {
			out = append(out, settingDiff{n, orNone(t[n]), orNone(o[n])})
		}
	}
	return out
}

// diffText says ds as name=theirs (here ours), one after the other.
func diffText(ds []settingDiff) string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = fmt.Sprintf("%s=%s (here %s)", d.Name, d.Theirs, d.Ours)
	}
	return strings.Join(out, ", ")
}

// orNone returns v, or "none" for an empty one.
func orNone(v string) string {
	if v == "" {
		return "none"
	}
	return v
}

// WatchReplicas runs CheckClock and CheckReplicas at once and every
// ReplicaEvery until ctx ends, then forgets this replica in the store.
func (s *Server) WatchReplicas(ctx context.Context) {
	t := time.NewTicker(ReplicaEvery)
	defer t.Stop()
	for {
		// A store down: the last results stand, and the store's own
		// checks say it.
		s.CheckClock(ctx)
		s.CheckReplicas(ctx)
		select {
		case <-ctx.Done():
			s.dropReplica(context.WithoutCancel(ctx))
			return
		case <-t.C:
		}
	}
}

// dropReplica forgets this replica in the store, as it stops: the
// others do not count it for ReplicaGone.
func (s *Server) dropReplica(ctx context.Context) {
	rs, ok := s.Store.(replicaStore)
	s.replicas.mu.Lock()
	id := s.replicas.self.ID
	s.replicas.mu.Unlock()
	if !ok || id == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	rs.DropReplica(ctx, id)
}

// replicaDiff is another replica found with other settings: its name,
// its settings' fingerprint and those that differ (settingsDiff).
type replicaDiff struct {
	Name, Fingerprint string
	Differ            []settingDiff
}

// String names the replica and the settings that differ.
func (d replicaDiff) String() string {
	return d.Name + " (settings " + d.Fingerprint + "): " + diffText(d.Differ)
}

// joinDiffs returns the replicas of ds, "; " between two.
func joinDiffs(ds []replicaDiff) string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.String()
	}
	return strings.Join(out, "; ")
}

// replicasDiffer returns this replica's settings fingerprint and the
// other replicas found with other settings.
func (s *Server) replicasDiffer() (string, []replicaDiff) {
	s.replicas.mu.Lock()
	defer s.replicas.mu.Unlock()
	return s.replicas.self.Fingerprint, slices.Clone(s.replicas.differ)
}
