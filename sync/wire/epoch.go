package wire

import (
	"fmt"
	"strconv"
	"strings"
)

// EpochHeader is the header of every answer of centrale that names the
// epoch of its store ([Epoch]), and of a desk's request that names the
// epoch it last saw. A push that names another epoch than the store's is
// refused whole (409 ProblemStoreRestored): the desk first sends again
// what it sent before, then its new events. A centrale of before it sends
// none, and a desk of before it names none.
const EpochHeader = "Pinsede-Store-Epoch"

// Epoch names the life of a central store: made with the store, and made
// anew when it is put back from a copy (`centrale restored`). A desk
// that finds another epoch than the one it saw knows that centrale may
// have lost what it sent and what it pulled since the copy: it sends its
// events of since again (a duplicate for what the copy holds) and pulls
// again from From.
type Epoch struct {
	// ID is the epoch's random name, 32 hex digits.
	ID string
	// From is the Seq of the store's newest change when the epoch began:
	// changes after it are of this epoch.
	From uint64
}

// String returns the epoch as its header carries it: ID/From.
func (e Epoch) String() string { return e.ID + "/" + strconv.FormatUint(e.From, 10) }

// ParseEpoch reads an epoch as String writes it.
func ParseEpoch(s string) (Epoch, error) {
	id, from, ok := strings.Cut(s, "/")
	n, err := strconv.ParseUint(from, 10, 64)
	if !ok || err != nil || len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
		return Epoch{}, fmt.Errorf("store epoch %.80q: not ID/FROM (32 hex digits, a number)", s)
	}
	return Epoch{ID: id, From: n}, nil
}
