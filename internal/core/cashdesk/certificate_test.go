package cashdesk_test

import (
	"encoding/pem"
	"errors"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/cashdesk"
	"github.com/gatehouse/gatehouse/internal/core/cashdesk/certtest"
)

var certNow = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)

func TestParseCertificateReportsKeyIDSerialAndEndDateFromPEMAndDER(t *testing.T) {
	for _, name := range []string{"cashier.pem", "cashier.der"} {
		c, err := cashdesk.ParseCertificate(certtest.Load(name), certNow)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// Values as `openssl x509 -noout -serial -enddate -ext subjectKeyIdentifier` prints them.
		if c.SubjectKeyID != "88b920a191b2402e86f5f7c1d2e3f4a5b6c7d8e9f78735b0d9734b7266b80f15" {
			t.Errorf("%s: subject key id %s", name, c.SubjectKeyID)
		}
		if c.Serial != "14F1E2D3C4B50700000000000000000000000001" {
			t.Errorf("%s: serial %s", name, c.Serial)
		}
		if want := time.Date(2035, 11, 15, 12, 0, 0, 0, time.UTC); !c.NotAfter.Equal(want) {
			t.Errorf("%s: not after %v, want %v", name, c.NotAfter, want)
		}
		if len(c.DER) == 0 || c.DER[0] != 0x30 {
			t.Errorf("%s: DER not kept", name)
		}
	}
}

func TestParseCertificateWithoutKeyIDStillReportsOne(t *testing.T) {
	c, err := cashdesk.ParseCertificate(certtest.Load("noskid.pem"), certNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.SubjectKeyID) != 40 || c.Serial != "0A" {
		t.Fatalf("noskid.pem: key id %q (want 40 hex digits), serial %q (want 0A)", c.SubjectKeyID, c.Serial)
	}
}

func TestParseCertificateRefusesBadUploads(t *testing.T) {
	good := certtest.Load("cashier.pem")
	der := certtest.Load("cashier.der")
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte{1, 2, 3}})
	cases := []struct {
		name string
		data []byte
		now  time.Time
		want error
	}{
		{"expired", certtest.Load("expired.pem"), certNow, core.ErrCertificateExpired},
		{"not yet valid", good, time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC), core.ErrCertificateNotYetValid},
		{"empty", nil, certNow, core.ErrCertificateMalformed},
		{"garbage", []byte("hello, world"), certNow, core.ErrCertificateMalformed},
		{"truncated DER", der[:len(der)-10], certNow, core.ErrCertificateMalformed},
		{"DER with trailing bytes", append(append([]byte{}, der...), 0), certNow, core.ErrCertificateMalformed},
		{"PEM of another type", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), certNow, core.ErrCertificateMalformed},
		{"PEM with a private key", append(append([]byte{}, good...), keyPEM...), certNow, core.ErrCertificatePrivateKey},
		{"too large", make([]byte, cashdesk.MaxCertificateBytes+1), certNow, core.ErrCertificateMalformed},
	}
	for _, c := range cases {
		_, err := cashdesk.ParseCertificate(c.data, c.now)
		if !errors.Is(err, c.want) || core.KindOf(err) != core.KindInvalid {
			t.Errorf("%s: error %v, want %v (400)", c.name, err, c.want)
		}
	}
}

func FuzzParseCertificate(f *testing.F) {
	for _, n := range []string{"cashier.pem", "cashier.der", "expired.pem", "noskid.pem"} {
		f.Add(certtest.Load(n))
	}
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := cashdesk.ParseCertificate(data, certNow)
		if err != nil {
			if core.KindOf(err) != core.KindInvalid {
				t.Fatalf("error of kind %v, want KindInvalid: %v", core.KindOf(err), err)
			}
			return
		}
		if c.SubjectKeyID == "" || c.NotAfter.Before(certNow) || len(c.DER) == 0 {
			t.Fatalf("accepted certificate lacks data: %+v", c)
		}
	})
}
