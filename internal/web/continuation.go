package web

import (
	"net/url"
	"strings"
)

// continuePrefixes are the pages a sign-in may continue to: the cabinet,
// the admin console, the OpenID door's endpoints and the device page.
var continuePrefixes = []string{"/account", "/admin", "/oauth2/", "/device"}

// continuation is where a sign-in goes when it is done: next when it is a
// path on this server under one of continuePrefixes (one leading slash,
// no scheme, host, backslash or control character, so no browser reads it
// as another site), else /account. This is what keeps ?continue= from
// being an open redirect.
func continuation(next string) string {
	const home = "/account"
	if next == "" || len(next) > 2048 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return home
	}
	if strings.ContainsAny(next, "\\\x00\r\n\t") {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return home
	}
	// Judge the path as it will be resolved: "/account/../evil" is not the
	// cabinet's. Dot segments, plain or escaped, are refused outright.
	if strings.Contains(u.Path, "/.") || strings.Contains(strings.ToLower(u.RawPath), "%2e") {
		return home
	}
	for _, p := range continuePrefixes {
		if u.Path == strings.TrimSuffix(p, "/") || strings.HasPrefix(u.Path, p) {
			if p == "/account" || p == "/admin" || p == "/device" {
				// "/accountX" is no page of the cabinet.
				if u.Path != p && !strings.HasPrefix(u.Path, p+"/") {
					continue
				}
			}
			return next
		}
	}
	return home
}
