package phone

import (
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/gatehouse/gatehouse/internal/core"
)

// maxPhoneInput bounds what the parser is given: no written phone number
// with its spaces, dashes and brackets comes near it.
const maxPhoneInput = 64

// Normalize parses a phone number as people write it ("+7 701
// 123-45-67", "tel:+7-701-123-45-67", or "8 701 123 4567" when region is
// KZ) and returns it in E.164 ("+77011234567"), the one form Gatehouse
// stores and sends texts to. region is an ISO 3166-1 alpha-2 code (upper
// case) for numbers written without their country code; with region ""
// such numbers are refused. Numbers that cannot receive a text message
// (fixed lines, toll-free, premium-rate, shared-cost, voicemail-only,
// pager) are refused too: the phone is where OTP_SMS codes go. Every
// refusal is an invalid_phone *Error naming the field "phone".
func Normalize(raw, region string) (string, error) {
	n, err := parsePhone(raw, region)
	if err != nil {
		return "", err
	}
	switch phonenumbers.GetNumberType(n) {
	case phonenumbers.FIXED_LINE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST,
		phonenumbers.VOICEMAIL, phonenumbers.PAGER, phonenumbers.UAN:
		return "", errPhone("phone cannot receive text messages (not a mobile number)")
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// Parse is Normalize for any valid number, whatever its type
// (a sender's number may be toll-free).
func Parse(raw, region string) (string, error) {
	n, err := parsePhone(raw, region)
	if err != nil {
		return "", err
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

func parsePhone(raw, region string) (*phonenumbers.PhoneNumber, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxPhoneInput {
		return nil, errPhone("phone must be a phone number in international form, such as +77011234567")
	}
	n, err := phonenumbers.Parse(raw, region)
	if err != nil {
		if region == "" && !strings.HasPrefix(strings.TrimPrefix(raw, "tel:"), "+") {
			return nil, errPhone("phone must start with + and the country code (no default region is set)")
		}
		return nil, errPhone("phone is not a phone number")
	}
	if !phonenumbers.IsValidNumber(n) {
		return nil, errPhone("phone is not a valid number of its country")
	}
	return n, nil
}

func errPhone(msg string) *core.Error { return core.Invalid("invalid_phone", "phone", msg) }
