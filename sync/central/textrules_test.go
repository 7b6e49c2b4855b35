package central_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/storetest"
)

// noPrinter takes every slip: the test reads the events, not the PIN.
type noPrinter struct{}

func (noPrinter) PrintSlip(context.Context, pinsede.Slip) error { return nil }

// Ensure that whatever text a desk takes for an issue, a revocation, an
// operator or the sede, centrale takes its event: the desk applies
// centrale's bounds (pinsede.InvisibleChar, MaxTextBytes, the citizen's
// MaxCitizenTextBytes) before it commits or prints anything, or refuses
// the text at the field. The reviewer's cases, in every field, and texts
// at their longest in characters of four bytes.
func TestDeskTakesOnlyWhatCentraleTakes(t *testing.T) {
	cheap := pinsede.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}
	lim := central.Limits{PINParams: []pinsede.Argon2Params{cheap}}
	now := testclock.Now()
	emoji := func(n int) string { return strings.Repeat("😀", n) }
	most := pinsede.MaxTextRunes
	for _, tc := range []struct {
		name    string
		edit    func(*pinsede.Request, *pinsede.Verification)
		refused bool
	}{
		{"U+202E nel cognome", func(r *pinsede.Request, _ *pinsede.Verification) { r.Cognome = "Rossi\u202E" }, true},
		{"a capo nella via", func(r *pinsede.Request, _ *pinsede.Verification) { r.Residenza.Street = "Calle\nMayor 1" }, true},
		{"tab nel nome", func(r *pinsede.Request, _ *pinsede.Verification) { r.Nome = "Ma\trio" }, true},
		{"NUL nel comune", func(r *pinsede.Request, _ *pinsede.Verification) { r.Residenza.City = "Mad\x00rid" }, true},
		{"UTF-8 non valido", func(r *pinsede.Request, _ *pinsede.Verification) { r.Residenza.Street = "Calle \xff 1" }, true},
		{"autorità di 600 byte", func(_ *pinsede.Request, v *pinsede.Verification) { v.Document.Authority = strings.Repeat("M", 600) }, true},
		{"BEL nell'autorità", func(_ *pinsede.Request, v *pinsede.Verification) { v.Document.Authority = "Ministerio\a" }, true},
		{"provincia estera di 600 byte", func(r *pinsede.Request, _ *pinsede.Verification) { r.Residenza.Province = strings.Repeat("M", 600) }, true},
		{"quattro testi al massimo, in emoji", func(r *pinsede.Request, _ *pinsede.Verification) {
			r.Residenza.Street, r.Residenza.City, r.Residenza.CAP, r.LuogoNascita.Name = emoji(most), emoji(most), emoji(most), emoji(most)
		}, false},
		{"ogni testo al massimo, in emoji", func(r *pinsede.Request, v *pinsede.Verification) {
			r.Cognome, r.Nome, r.LuogoNascita.Name = emoji(most), emoji(most), emoji(most)
			r.Residenza.Street, r.Residenza.City, r.Residenza.CAP, r.Residenza.Province = emoji(most), emoji(most), emoji(most), emoji(most)
			r.Recapiti.Email = emoji(60) + "@example.com"
			v.Document.Authority = emoji(most)
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			st, err := local.Create(filepath.Join(dir, "s.db"), filepath.Join(dir, "s.key"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			d := pinsede.NewDesk(st, noPrinter{}, func() time.Time { return now })
			d.PINParams, d.PasswordParams = cheap, cheap
			if err := d.Setup(pinsede.Sede{Code: "ROMA01", Name: strings.Repeat("S", most), Address: emoji(most)},
				pinsede.NewOperator{ID: "sup", Name: emoji(pinsede.MaxNameRunes), Password: "password-lunga"}); err != nil {
				t.Fatal(err)
			}
			s, err := d.Login("sup", "password-lunga")
			if err != nil {
				t.Fatal(err)
			}
			r := storetest.TicketRequest()
			v := pinsede.Verification{
				Document: pinsede.Document{Type: pinsede.DocPassaportoEstero, Number: "PAA123456", Authority: "Ministerio del Interior", Country: "ES",
					IssuedOn: pinsede.DateOf(now.AddDate(-2, 0, 0)), ExpiresOn: pinsede.DateOf(now.AddDate(3, 0, 0))},
				Checklist: pinsede.Checklist{OriginalSeen: true, PhotoMatches: true, MV35Signed: true},
			}
			tc.edit(&r, &v)
			out, err := d.Issue(context.Background(), s, r, v)
			var es pinsede.FieldErrors
			switch {
			case tc.refused && !errors.As(err, &es):
				t.Fatalf("issue: %v, want it refused at a field", err)
			case !tc.refused && err != nil:
				t.Fatalf("issue: %v", err)
			case !tc.refused:
				if _, err := d.Revoke(s, out.Credential.ID, "Busta smarrita\ndal cittadino\u2028allo sportello"); err != nil {
					t.Fatalf("revoke: %v", err)
				}
			}
			items, err := st.OutboxAfter(0, 20, 1<<22)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				if reason := central.Screen(lim, "ROMA01", it.Event, now); reason != "" {
					t.Errorf("centrale refuses the desk's %s: %s", it.Event.Kind, reason)
				}
			}
		})
	}
}
