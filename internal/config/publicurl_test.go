package config

import (
	"strings"
	"testing"
)

func TestThePublicURLIsLoadedWithoutTrailingSlashes(t *testing.T) {
	for _, given := range []string{"https://auth.example.com/", "https://auth.example.com//", "https://auth.example.com"} {
		c, err := Load(nil, env(map[string]string{"GATEHOUSE_PUBLIC_URL": given}))
		if err != nil {
			t.Fatal(err)
		}
		if c.PublicURL != "https://auth.example.com" || c.Issuer() != c.PublicURL {
			t.Errorf("%q loads as %q (issuer %q)", given, c.PublicURL, c.Issuer())
		}
	}
	c, err := Load(nil, env(map[string]string{"GATEHOUSE_PUBLIC_URL": "https://example.com/auth/"}))
	if err != nil || c.PublicURL != "https://example.com/auth" {
		t.Fatalf("a path keeps its segments: %q %v", c.PublicURL, err)
	}
}

func TestAPublicURLThatCannotBeABaseIsRefused(t *testing.T) {
	for given, want := range map[string]string{
		"https://auth.example.com/?x=1": "without a query or fragment",
		"https://auth.example.com?":     "without a query or fragment",
		"https://auth.example.com/#top": "without a query or fragment",
		"https://auth.example.com#":     "without a query or fragment",
		"ftp://auth.example.com":        "absolute http(s) URL",
		"auth.example.com":              "absolute http(s) URL",
		"https:auth.example.com":        "absolute http(s) URL",
		"https://u:p@auth.example.com":  "without user information",
	} {
		c, err := Load(nil, env(map[string]string{"GATEHOUSE_PUBLIC_URL": given}))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", given, err, want)
		}
	}
}
