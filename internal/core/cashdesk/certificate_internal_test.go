package cashdesk

import (
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core/cashdesk/certtest"
)

// OpenSSL wrote expired.pem's key id with its "hash" method, which is RFC
// 5280's method (1): the computed fallback must agree with it.
func TestKeyIDOfMatchesOpenSSLsHashMethod(t *testing.T) {
	b, _ := pem.Decode(certtest.Load("expired.pem"))
	x, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	got, err := keyIDOf(x.RawSubjectPublicKeyInfo)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(got) != hex.EncodeToString(x.SubjectKeyId) || len(got) != 20 {
		t.Fatalf("computed %x, OpenSSL's extension %x", got, x.SubjectKeyId)
	}
}
