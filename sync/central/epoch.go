package central

import (
	"context"
	"crypto/rand"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
)

// EpochStore keeps the epoch of the central store (wire.Epoch): made
// with the store, or at the first open of a store of before it, and made
// anew by NewEpoch when the store is put back from a copy. Centrale sends
// it with every answer, and a desk that finds it changed sends again what
// it sent and pulls again what it pulled since (sync/client).
type EpochStore interface {
	// Epoch returns the store's epoch.
	Epoch(ctx context.Context) (wire.Epoch, error)
	// NewEpoch gives the store the epoch named id, from its newest
	// change, and returns it.
	NewEpoch(ctx context.Context, id string) (wire.Epoch, error)
}

// NewEpochID returns a new epoch's name: 16 random bytes, hex encoded.
func NewEpochID() (string, error) { return pinsede.NewID(rand.Reader) }
