package account

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

// The SVG draws exactly the dark modules of the QR code of the URI, and
// holds no text of it.
func TestTheQRCodeDrawsEveryDarkModuleOfTheURI(t *testing.T) {
	uri := "otpauth://totp/Gatehouse:ann@example.com?issuer=Gatehouse&secret=JBSWY3DPEHPK3PXP"
	svg, err := qrSVG(uri)
	if err != nil {
		t.Fatal(err)
	}
	q, err := qrcode.New(uri, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	want := map[[2]int]bool{}
	for y, row := range q.Bitmap() {
		for x, dark := range row {
			if dark {
				want[[2]int{x, y}] = true
			}
		}
	}
	got := map[[2]int]bool{}
	for _, m := range regexp.MustCompile(`M(\d+) (\d+)h1v1h-1z`).FindAllStringSubmatch(string(svg), -1) {
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		got[[2]int{x, y}] = true
	}
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("drew %d modules, the code has %d", len(got), len(want))
	}
	for k := range want {
		if !got[k] {
			t.Fatalf("module %v not drawn", k)
		}
	}
	if !strings.HasPrefix(string(svg), "<svg ") || !strings.HasSuffix(string(svg), "</svg>") || strings.Contains(string(svg), uri) {
		t.Fatalf("not one svg element, or the secret's URI in clear: %.200s", svg)
	}
}
