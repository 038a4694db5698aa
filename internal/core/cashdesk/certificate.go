package cashdesk

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Certificate is the signature certificate (КЕП) a cashier uploaded to the
// cashdesk door. Gatehouse keeps it to report its subject key id, serial
// and end date (the cashdesk API user.subject_key_id and user.signature); it does
// not verify the issuing chain, which belongs to the tax service.
type Certificate struct {
	DER          []byte
	SubjectKeyID string // lower-case hex, as in the published API's example
	Serial       string // upper-case hex of the serial's bytes, as in the published API's example
	Subject      string
	NotBefore    time.Time
	NotAfter     time.Time
	UploadedAt   time.Time
}

// MaxCertificateBytes bounds an upload: qualified certificates are a few
// kilobytes; anything far larger is not one.
const MaxCertificateBytes = 64 << 10

// ParseCertificate reads one X.509 certificate in PEM (a CERTIFICATE block)
// or DER and checks that it is valid at now. Returns ErrCertificateMalformed,
// ErrCertificateExpired, ErrCertificateNotYetValid or, when the PEM carries a
// private key, ErrCertificatePrivateKey.
func ParseCertificate(data []byte, now time.Time) (Certificate, error) {
	if len(data) == 0 || len(data) > MaxCertificateBytes {
		return Certificate{}, core.ErrCertificateMalformed
	}
	der, err := certificateDER(data)
	if err != nil {
		return Certificate{}, err
	}
	x, err := x509.ParseCertificate(der)
	if err != nil {
		return Certificate{}, core.ErrCertificateMalformed.With(err)
	}
	if now.After(x.NotAfter) {
		return Certificate{}, core.ErrCertificateExpired
	}
	if now.Before(x.NotBefore) {
		return Certificate{}, core.ErrCertificateNotYetValid
	}
	skid := x.SubjectKeyId
	if len(skid) == 0 {
		if skid, err = keyIDOf(x.RawSubjectPublicKeyInfo); err != nil {
			return Certificate{}, core.ErrCertificateMalformed.With(err)
		}
	}
	return Certificate{
		DER:          der,
		SubjectKeyID: hex.EncodeToString(skid),
		Serial:       fmt.Sprintf("%X", x.SerialNumber.Bytes()),
		Subject:      core.DisplayText(x.Subject.String(), 512), // a certificate may name anything
		NotBefore:    x.NotBefore.UTC(),
		NotAfter:     x.NotAfter.UTC(),
	}, nil
}

// certificateDER returns the DER of a PEM CERTIFICATE block, or data itself
// when it is not PEM. Other blocks around the certificate are ignored,
// except private keys, which must never be sent.
func certificateDER(data []byte) ([]byte, error) {
	trimmed := bytes.TrimSpace(data)
	if !bytes.HasPrefix(trimmed, []byte("-----BEGIN")) {
		return data, nil
	}
	var der []byte
	for rest := trimmed; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch {
		case strings.Contains(b.Type, "PRIVATE KEY"):
			return nil, core.ErrCertificatePrivateKey
		case b.Type == "CERTIFICATE" && der == nil:
			der = b.Bytes
		}
	}
	if der == nil {
		return nil, core.ErrCertificateMalformed
	}
	return der, nil
}

// keyIDOf computes a subject key id for a certificate without one, by RFC
// 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING (what
// OpenSSL's "hash" and Go's x509.CreateCertificate put in the extension).
// SHA-1 is the RFC's choice for an identifier here, not a security use.
func keyIDOf(spki []byte) ([]byte, error) {
	var info struct {
		Algorithm asn1.RawValue
		PublicKey asn1.BitString
	}
	if rest, err := asn1.Unmarshal(spki, &info); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("subjectPublicKeyInfo: %v", err)
	}
	sum := sha1.Sum(info.PublicKey.Bytes)
	return sum[:], nil
}
