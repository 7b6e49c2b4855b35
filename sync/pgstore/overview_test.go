package pgstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/storetest"
)

// Ensure that the overview counts the credentials locked up to
// MaxOverviewLocked, those whose lock ends last, and says there are more;
// the locks as the store writes them (JSON of central.Lock).
func TestOverviewLockBound(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	const n, permanent = central.MaxOverviewLocked + 5, 5
	_, err := s.Pool().Exec(ctx, `INSERT INTO credentials (id, codice_fiscale, sede, status, accepted_at, credential, lock)
		SELECT 'c' || i, 'CF' || i, 'ROMA01', 'active', $2, jsonb_build_object('id', 'c' || i, 'type', 'dispositivo'),
			CASE WHEN i < $3 THEN '{"permanent": true}'::jsonb
			ELSE jsonb_build_object('temporary', 1, 'until', to_jsonb($2::timestamptz + i * interval '1 second')) END
		FROM generate_series(0, $1::int - 1) AS i`, n, storetest.T0, permanent)
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.Overview(ctx, storetest.T0, 30)
	if err != nil {
		t.Fatal(err)
	}
	storetest.WantLockBound(t, o, permanent, fmt.Sprint("c", n-1))
	if l := o.LockedList[permanent]; !l.Until.Equal(storetest.T0.Add(time.Duration(n-1) * time.Second)) {
		t.Errorf("the lock that ends last ends at %s, want %s", l.Until, storetest.T0.Add(time.Duration(n-1)*time.Second))
	}
}
