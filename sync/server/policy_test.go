package server_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that a sede gets the policy with its version as the ETag, a 304
// when it has that version, the new one after SetPolicy; and that another
// role is refused.
func TestPolicy(t *testing.T) {
	env := newEnv(t)
	roma := env.Client(t, pki.RoleSede, "ROMA01")
	get := func(etag string) (*http.Response, wire.PolicyResponse) {
		t.Helper()
		req, err := http.NewRequest("GET", env.URL+"/v1/policy", nil)
		if err != nil {
			t.Fatal(err)
		}
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := roma.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var pr wire.PolicyResponse
		if resp.StatusCode == 200 {
			if err := json.NewDecoder(resp.Body).Decode(&pr); err != nil {
				t.Fatal(err)
			}
		}
		return resp, pr
	}
	st, b := do(t, roma, "GET", env.URL+"/v1/policy", "", nil) // recorded for TestOpenAPI
	var pr wire.PolicyResponse
	if err := json.Unmarshal(b, &pr); st != 200 || err != nil || !reflect.DeepEqual(pr.Policy, pinsede.DefaultPolicy()) {
		t.Fatalf("policy: %d %s, want the default policy", st, b)
	}
	resp, _ := get("")
	tag := resp.Header.Get("ETag")
	if tag == "" {
		t.Fatal("no ETag")
	}
	if resp, _ := get(tag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("with the ETag: %s, want 304", resp.Status)
	}

	v2 := pinsede.Policy{Version: 2, Rules: []pinsede.Rule{{Eligible: pinsede.EligibleAll}}}
	env.Server.SetPolicy(v2)
	resp, got := get(tag)
	if resp.StatusCode != 200 || !reflect.DeepEqual(got.Policy, v2) || resp.Header.Get("ETag") == tag {
		t.Errorf("after a new version: %s %+v, ETag %s", resp.Status, got.Policy, resp.Header.Get("ETag"))
	}
	if st, b := do(t, env.Client(t, pki.RolePortal, "PORTALE"), "GET", env.URL+"/v1/policy", "", nil); st != 403 {
		t.Errorf("portal: %d %s, want 403", st, b)
	}
	if resp, err := env.Client(t, "", "").Get(env.URL + "/v1/policy"); err == nil {
		resp.Body.Close()
		t.Errorf("no certificate: %s, want the handshake refused", resp.Status)
	}
}
