package desk

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/assets"
)

// Ensure that every key the screens ask lang for is in both translations:
// the literal keys of this package's sources, and the families built from
// the domain's values (sexes, document types, roles, states, audit actions,
// countries).
func TestScreensTranslated(t *testing.T) {
	keys := map[string]bool{}
	files, _ := filepath.Glob("*.go")
	literal := regexp.MustCompile(`lang\.L\("([^"]+)"`)
	for _, f := range files {
		if filepath.Ext(f) != ".go" || regexp.MustCompile(`_test\.go$`).MatchString(f) {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			if m[1][len(m[1])-1] != '.' { // "sex." + s: a family, listed below
				keys[m[1]] = true
			}
		}
	}
	keys[keyCFMismatch] = true // FieldErrors' keys
	keys[keyReconcileOneDay] = true
	keys[pinsede.KeyQueueName] = true
	keys[issueDisk.Full], keys[issueDisk.TooLarge], keys[issueDisk.ReadOnly], keys[issueDisk.Denied] = true, true, true, true
	for _, s := range sexes {
		keys["sex."+string(s)] = true
	}
	for _, d := range pinsede.DocumentTypes() {
		keys["doc."+string(d)] = true
	}
	for _, r := range roles {
		keys["role."+string(r)] = true
	}
	for _, s := range []pinsede.CredentialState{pinsede.StateAttivo, pinsede.StateRevocato, pinsede.StateScaduto} {
		keys["state."+string(s)] = true
	}
	for _, c := range []pinsede.CredentialType{pinsede.Ordinario, pinsede.Dispositivo, pinsede.Telefonico} {
		keys["credtype."+string(c)] = true
	}
	for _, tv := range pinsede.TelephoneValidities() {
		keys["telephone.validity."+string(tv)] = true
	}
	for _, a := range pinsede.AuditActions() {
		keys["audit."+string(a)] = true
	}
	for _, c := range pinsede.Countries() {
		keys["country."+c.Alpha2] = true
	}
	for _, k := range helpKeys {
		keys["help.key."+string(k.id)] = true
		keys["help.key."+string(k.id)+".do"] = true
	}
	if len(keys) < 100 {
		t.Fatalf("found only %d keys: is the pattern still right?", len(keys))
	}
	for _, name := range []string{"it", "en"} {
		b, err := assets.Translations.ReadFile("translations/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for k := range keys {
			if _, ok := m[k]; !ok {
				t.Errorf("%s.json lacks %q", name, k)
			}
		}
	}
}

// Ensure that the Italian names of the country pickers are the domain's
// (pinsede.Countries), so that the form and the rules name a state alike.
func TestCountryNamesAgree(t *testing.T) {
	b, err := assets.Translations.ReadFile("translations/it.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, c := range pinsede.Countries() {
		if got := m["country."+c.Alpha2]; got != c.Name {
			t.Errorf("it.json country.%s = %q, the domain says %q", c.Alpha2, got, c.Name)
		}
	}
	order := countryOrder()
	if len(order) != len(pinsede.Countries()) || order[0] != "IT" {
		t.Fatalf("picker order: %d states, first %q; want %d, Italy first", len(order), order[0], len(pinsede.Countries()))
	}
	if got := countryName(order[len(commonCountries)+1]); got != "Afghanistan" {
		t.Errorf("first state after the common ones: %q, want Afghanistan", got)
	}
}
