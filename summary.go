package pinsede

// Summary returns today's issued count and the events waiting for sync. A
// PIN counts as issued once its slip is printed: one revoked at once
// because the printer failed never reached the citizen.
func (d *Desk) Summary() (Summary, error) {
	var sum Summary
	err := d.Store.View(func(tx Tx) error {
		today, err := tx.IssuedOn(DateOf(d.Now()))
		if err != nil {
			return err
		}
		for _, c := range today {
			if !c.PrintedAt.IsZero() {
				sum.IssuedToday++
			}
		}
		sum.PendingSync, err = tx.Pending()
		return err
	})
	return sum, err
}

// Summary is the desk's home figures.
type Summary struct {
	IssuedToday int
	PendingSync int
}
