package pinsede

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Settings are the desk's settings that a supervisor chooses on the desk.
type Settings struct {
	// PrinterQueue is the CUPS queue of the slips and forms, used when
	// the app is started without a printer of its own; "" for none.
	PrinterQueue string    `json:"printer_queue,omitempty"`
	UpdatedAt    time.Time `json:"updated_at,omitzero"`
	UpdatedBy    string    `json:"updated_by,omitempty"`
}

// Validate checks the settings: a CUPS queue name is letters, digits, '-',
// '_', '.' and '@', at most 127 bytes.
func (st Settings) Validate() FieldErrors {
	var es FieldErrors
	q := st.PrinterQueue
	if len(q) > 127 {
		es.add(FieldPrinterQueue, KeyTooLong, map[string]any{"Max": 127})
		return es
	}
	for _, r := range q {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("-_.@", r)) {
			es.add(FieldPrinterQueue, KeyQueueName, nil)
			break
		}
	}
	return es
}

// Settings returns the desk's settings; the zero Settings when none were
// ever saved. It needs no session: the app reads them at start-up.
func (d *Desk) Settings() (Settings, error) {
	var st Settings
	err := d.Store.View(func(tx Tx) (err error) { st, err = tx.Settings(); return err })
	switch {
	case errors.Is(err, ErrNotFound):
		return Settings{}, nil
	case err != nil:
		return Settings{}, fmt.Errorf("read settings: %w", err)
	}
	return st, nil
}

// SaveSettings records the desk's settings and audits the change.
// Supervisors only. They take effect at the next start of the app.
func (d *Desk) SaveSettings(s *Session, st Settings) error {
	if !s.IsSupervisor() {
		return ErrForbidden
	}
	st.PrinterQueue = strings.TrimSpace(st.PrinterQueue)
	if es := st.Validate(); len(es) > 0 {
		return es
	}
	now := d.Now()
	st.UpdatedAt, st.UpdatedBy = now, s.Actor()
	err := d.update(s, func(tx Tx) error {
		old, err := tx.Settings()
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if old.PrinterQueue == st.PrinterQueue {
			return nil // nothing changes: nothing to audit
		}
		if err := tx.PutSettings(st); err != nil {
			return err
		}
		return appendAudit(tx, now, s.Sede.Code, s.Actor(), AuditEntry{
			Action: ActionSettingsChanged,
			Detail: fmt.Sprintf("stampante: %s → %s", orNone(old.PrinterQueue), orNone(st.PrinterQueue)),
		})
	})
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}

// orNone writes an empty setting as "nessuna" in audit details.
func orNone(s string) string {
	if s == "" {
		return "nessuna"
	}
	return s
}
