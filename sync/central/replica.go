package central

import "time"

// Replica is a centrale process serving a store that several share
// (PostgreSQL), as it publishes itself there for the others to see
// (server.Server.CheckReplicas).
type Replica struct {
	// ID names the process, random, made at its start.
	ID string
	// Name says where it runs: its host and its API's address.
	Name string
	// Fingerprint sums Settings: replicas that agree have the same.
	Fingerprint string
	// Settings are the settings every replica must share, one
	// name=value a line, sorted.
	Settings string
	// Seen is when it last published itself, by the store's clock.
	Seen time.Time
}
