package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func (c *cliTest) bank(args ...string) map[string]any {
	c.t.Helper()
	out, err := c.run(append(append([]string{"bank"}, args...), "--output", "json")...)
	if err != nil {
		c.t.Fatalf("gatehouse bank %v: %v", args, err)
	}
	m := map[string]any{}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		c.t.Fatalf("gatehouse bank %v printed %q", args, out)
	}
	return m
}

func TestTheBankCommandsManageTheRegistry(t *testing.T) {
	c := newCLI(t)
	clients := c.bank("client-list")["clients"].([]any)
	if len(clients) != 1 || clients[0].(map[string]any)["id"] != "WEB" || clients[0].(map[string]any)["public"] != true {
		t.Fatalf("default clients: %v", clients)
	}
	cl := c.bank("client-create", "--id", "MOBILE", "--confidential", "--grant", "password", "--grant", "refresh_token")
	if cl["public"] != false || cl["secret"] == "" || len(cl["grant_types"].([]any)) != 2 {
		t.Fatalf("client-create: %v", cl)
	}
	role := c.bank("role-create", "--code", "DIRECTOR", "--chains", "OTP_SMS;OTP_EMAIL+TOTP", "--device-skip")
	if fmt.Sprint(role["chains"]) != "[[OTP_SMS] [OTP_EMAIL TOTP]]" || role["device_skip"] != true || role["version"] != 1.0 {
		t.Fatalf("role-create: %v", role)
	}
	up := c.bank("role-update", "--code", "DIRECTOR", "--chains", "TOTP", fmt.Sprint(role["id"]))
	if up["version"] != 2.0 || fmt.Sprint(up["chains"]) != "[[TOTP]]" {
		t.Fatalf("role-update: %v", up)
	}
	cust := c.bank("customer-create", "--name", "ТОО Test", "--customer-id", "111111")
	c.user("create", "--email", "ann@bank.test", "--password", "long enough", "--confirmed")
	prof := c.bank("profile-set", "--iin", "900101300126", "--phone", "+77011234567", "ann@bank.test")
	if prof["iin"] != "900101300126" {
		t.Fatalf("profile-set: %v", prof)
	}
	if _, err := c.run("bank", "profile-set", "--iin", "900101300123", "ann@bank.test"); err == nil {
		t.Fatal("an IIN with a wrong check digit was accepted")
	}
	m := c.bank("member-set", fmt.Sprint(cust["id"]), "ann@bank.test", fmt.Sprint(role["id"]))
	if m["customer_id"] != 111111.0 || m["role"].(map[string]any)["code"] != "DIRECTOR" {
		t.Fatalf("member-set: %v", m)
	}
	if _, err := c.run("bank", "nonsense"); err == nil {
		t.Fatal("an unknown action was accepted")
	}
}

func TestProfileSetStoresThePhoneInE164AndRefusesANationalNumberWithoutARegion(t *testing.T) {
	c := newCLI(t)
	c.user("create", "--email", "ann@bank.test", "--password", "long enough", "--confirmed")
	prof := c.bank("profile-set", "--iin", "900101300126", "--phone", "+7 (701) 123-45-67", "ann@bank.test")
	if prof["phone"] != "+77011234567" {
		t.Fatalf("profile-set stored the phone as %v, want +77011234567", prof["phone"])
	}
	if _, err := c.run("bank", "profile-set", "--iin", "900101300126", "--phone", "8 701 123 45 67", "ann@bank.test"); err == nil ||
		!strings.Contains(err.Error(), "phone") {
		t.Fatalf("a national number without GATEHOUSE_PHONE_REGION: %v, want a refusal naming the phone", err)
	}
	c.env["GATEHOUSE_PHONE_REGION"] = "kz"
	if prof := c.bank("profile-set", "--iin", "900101300126", "--phone", "8 701 765 43 21", "ann@bank.test"); prof["phone"] != "+77017654321" {
		t.Fatalf("with GATEHOUSE_PHONE_REGION=kz the phone is %v, want +77017654321", prof["phone"])
	}
}
