package server

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/door/oidc"
	"github.com/gatehouse/gatehouse/internal/web"
	"github.com/gatehouse/gatehouse/internal/web/account"
	"github.com/gatehouse/gatehouse/internal/web/consent"
	"github.com/gatehouse/gatehouse/internal/web/console"
	"github.com/gatehouse/gatehouse/internal/web/device"
	"github.com/gatehouse/gatehouse/internal/web/signout"
)

// pages builds the hosted pages over the app's services. Areas built
// elsewhere (the cabinet, the admin console, the OpenID door's pages) are
// listed here.
func (s *Server) pages(limit func(r *http.Request, e core.Endpoint, subject string) error) (*web.Pages, error) {
	brand := web.Brand{Name: s.Config.BrandName, LogoURL: s.Config.BrandLogoURL}
	if f := s.Config.BrandLogoFile; f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("GATEHOUSE_BRAND_LOGO_FILE: %w", err)
		}
		if len(b) > config.MaxLogoBytes {
			return nil, fmt.Errorf("GATEHOUSE_BRAND_LOGO_FILE: larger than %d bytes", config.MaxLogoBytes)
		}
		brand.Logo, brand.LogoType = b, config.LogoTypes[strings.ToLower(filepath.Ext(f))]
	}
	return web.New(web.Pages{
		Identity: s.Identity, Factors: s.Factors, Credentials: s.Bank, Chain: s.Bank, CredentialPEM: s.Credential.PublicPEM,
		Sealer: s.Identity.Sealer, Limit: limit, PublicURL: s.Config.PublicURL, Sources: s.Config.SourceList(),
		PasswordMin: s.Config.PasswordMinLength,
		Brand:       brand, Log: s.Log, Now: s.opts.Now,
	}, account.Cabinet{Cashdesk: s.Cashdesk, OAuth: s.OAuth}.Area(),
		(&console.Console{Identity: s.Identity, Bank: s.Bank, Cashdesk: s.Cashdesk, RotateKeys: s.consoleRotation}).Area(),
		consent.Page{OAuth: s.OAuth}.Area(),
		(&signout.SignOut{OAuth: s.OAuth}).Area(),
		device.Verification{OAuth: s.OAuth}.Area())
}

// pagesBrowser tells the standard door who is signed in, from the hosted
// pages' web session (the door never imports the pages).
type pagesBrowser struct{ pages *web.Pages }

func (b pagesBrowser) SignedIn(r *http.Request) (oidc.Login, bool) {
	l, ok := b.pages.SignedIn(r)
	if !ok {
		return oidc.Login{}, false
	}
	return oidc.Login{AccountID: l.AccountID, SessionID: l.SessionID, AuthTime: l.AuthTime, AMR: l.AMR, ACR: l.ACR}, true
}
