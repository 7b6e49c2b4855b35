package pgstore

import (
	"reflect"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that eventHead, the JSON of an event kept in events.payload,
// has every field of pinsede.Event but the credential (spliced in by
// eventPayload), with the same JSON name: a field added to the event and
// not here would be lost at centrale, and never reach the sede's desks.
func TestEventHeadHasEveryField(t *testing.T) {
	head := map[string]bool{}
	ht := reflect.TypeFor[eventHead]()
	for i := range ht.NumField() {
		head[ht.Field(i).Tag.Get("json")] = true
	}
	et := reflect.TypeFor[pinsede.Event]()
	for i := range et.NumField() {
		f := et.Field(i)
		if tag := f.Tag.Get("json"); f.Name != "Credential" && !head[tag] {
			t.Errorf("pinsede.Event.%s (json %q) is not in eventHead", f.Name, tag)
		}
	}
}
