package account

import (
	"html/template"

	"github.com/gatehouse/gatehouse/internal/web"
)

// qrSVG is the QR code of an enrolment (web.QRCode: inline SVG drawn on the
// server), shared with the sign-in's required action.
func qrSVG(text string) (template.HTML, error) { return web.QRCode(text) }
