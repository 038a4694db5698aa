package config

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// LogoTypes are the image types GATEHOUSE_BRAND_LOGO_FILE may hold, by
// extension, with the Content-Type the pages serve it with.
var LogoTypes = map[string]string{
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml", ".webp": "image/webp",
}

// MaxLogoBytes caps GATEHOUSE_BRAND_LOGO_FILE: it is read into memory once
// at start and served on every page.
const MaxLogoBytes = 512 << 10

// validatePages checks the hosted pages' branding: a name that is text,
// at most one logo, a logo URL that is https (or http to a loopback host,
// as in development) or a path on this server, and a logo file of a known
// image type that exists and is small.
func (c Config) validatePages() []error {
	var errs []error
	bad := func(name, format string, a ...any) { errs = append(errs, fmt.Errorf(name+": "+format, a...)) }
	if n := strings.TrimSpace(c.BrandName); n == "" || !utf8.ValidString(n) || utf8.RuneCountInString(n) > 64 || strings.ContainsRune(n, 0) {
		bad("GATEHOUSE_BRAND_NAME", "want 1 to 64 characters of text")
	}
	if c.BrandLogoURL != "" && c.BrandLogoFile != "" {
		bad("GATEHOUSE_BRAND_LOGO_URL", "set it or GATEHOUSE_BRAND_LOGO_FILE, not both")
	}
	if u := c.BrandLogoURL; u != "" && !strings.HasPrefix(u, "/") {
		p, err := url.Parse(u)
		if err != nil || p.Host == "" || (p.Scheme != "https" && !(p.Scheme == "http" && loopback(p.Hostname()))) {
			bad("GATEHOUSE_BRAND_LOGO_URL", "want an https URL or a path starting with /")
		}
	} else if strings.HasPrefix(u, "//") {
		bad("GATEHOUSE_BRAND_LOGO_URL", "want an https URL or a path starting with /")
	}
	if f := c.BrandLogoFile; f != "" {
		if _, ok := LogoTypes[strings.ToLower(filepath.Ext(f))]; !ok {
			bad("GATEHOUSE_BRAND_LOGO_FILE", "want a .png, .jpg, .svg or .webp file")
		} else if st, err := os.Stat(f); err != nil {
			bad("GATEHOUSE_BRAND_LOGO_FILE", "%v", err)
		} else if st.Size() > MaxLogoBytes {
			bad("GATEHOUSE_BRAND_LOGO_FILE", "%d bytes; at most %d", st.Size(), MaxLogoBytes)
		}
	}
	return errs
}

func loopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// SecureCookies reports whether the hosted pages' cookies are Secure and
// carry the __Host- prefix: when the public URL is https.
func (c Config) SecureCookies() bool { return strings.HasPrefix(c.PublicURL, "https://") }
