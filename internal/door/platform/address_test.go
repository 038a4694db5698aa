package platform_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestAnAddressIsRemovedByItsIDOnlyByItsOwner(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	ann := signUp(t, e, "ann@example.com", "correct horse 1")
	eve := signUp(t, e, "eve@example.com", "correct horse 2")
	r := e.Do("POST", "/v1/user/address", map[string]string{"address": evmAddress}, bearer(ann.AccessToken)...)
	if r.Status != 200 {
		t.Fatalf("add address: %d %s", r.Status, r.Body)
	}
	id := r.Map(t)["addressId"].(string)
	addresses := func() int {
		var prof struct {
			Addresses []string `json:"addresses"`
		}
		e.Do("GET", "/v1/user/profile", nil, bearer(ann.AccessToken)...).JSON(t, &prof)
		return len(prof.Addresses)
	}

	for name, c := range map[string]struct {
		path, token string
		status      int
	}{
		"another user's token": {"/v1/user/address/" + id, eve.AccessToken, 404},
		"an unknown id":        {"/v1/user/address/00000000-0000-0000-0000-000000000000", ann.AccessToken, 404},
		"no token":             {"/v1/user/address/" + id, "", 401},
	} {
		var hdr []string
		if c.token != "" {
			hdr = bearer(c.token)
		}
		if r := e.Do("DELETE", c.path, nil, hdr...); r.Status != c.status {
			t.Errorf("%s: %d %s, want %d", name, r.Status, r.Body, c.status)
		}
		if n := addresses(); n != 1 {
			t.Fatalf("%s removed the address (%d left)", name, n)
		}
	}
	if r := e.Do("DELETE", "/v1/user/address/"+id, nil, bearer(ann.AccessToken)...); r.Status != 204 {
		t.Fatalf("remove: %d %s", r.Status, r.Body)
	}
	if n := addresses(); n != 0 {
		t.Fatalf("%d addresses after the removal", n)
	}
	if r := e.Do("DELETE", "/v1/user/address/"+id, nil, bearer(ann.AccessToken)...); r.Status != 404 {
		t.Fatalf("remove twice: %d %s", r.Status, r.Body)
	}
}
