package cashdesk

import "testing"

func TestValidEDRPOUFollowsTheCheckDigitRule(t *testing.T) {
	cases := []struct {
		code string
		want bool
		why  string
	}{
		{"14360570", true, "PrivatBank: weights 1…7"},
		{"00032129", true, "Oschadbank: leading zeros"},
		{"31316718", true, "Nova Poshta: between 30M and 60M, weights 7,1,…,6"},
		{"00000035", true, "first remainder 10, second pass gives 5"},
		{"00006050", true, "both passes give 10: check digit 0"},
		{"14360571", false, "wrong check digit"},
		{"14630570", false, "two digits swapped"},
		{"31316719", false, "wrong check digit in the middle range"},
		{"00006051", false, "double 10 must be 0"},
		{"1436057", false, "seven digits"},
		{"143605700", false, "nine digits"},
		{"1436057a", false, "a letter"},
		{"１4360570", false, "a full-width digit"},
		{"", false, "empty"},
	}
	for _, c := range cases {
		if got := ValidEDRPOU(c.code); got != c.want {
			t.Errorf("ValidEDRPOU(%q) = %v, want %v (%s)", c.code, got, c.want, c.why)
		}
	}
}

func TestValidDRFOFollowsTheCheckDigitRule(t *testing.T) {
	cases := []struct {
		code string
		want bool
		why  string
	}{
		{"3184710691", true, "sum 221"},
		{"2245134075", true, "sum 192"},
		{"9000000002", true, "negative sum -9: non-negative remainder 2"},
		{"3184710692", false, "wrong check digit"},
		{"3184701691", false, "two digits swapped"},
		{"9000000009", false, "negative remainder taken literally"},
		{"318471069", false, "nine digits"},
		{"31847106911", false, "eleven digits"},
		{"АБ123456", false, "a passport number is not an RNOKPP"},
		{" 3184710691", false, "leading space"},
	}
	for _, c := range cases {
		if got := ValidDRFO(c.code); got != c.want {
			t.Errorf("ValidDRFO(%q) = %v, want %v (%s)", c.code, got, c.want, c.why)
		}
	}
}

func FuzzTaxIDsNeverPanicAndAcceptOnlyDigits(f *testing.F) {
	for _, s := range []string{"14360570", "3184710691", "", "0", "99999999", "абв"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, ok := range []bool{ValidEDRPOU(s), ValidDRFO(s)} {
			if !ok {
				continue
			}
			for i := 0; i < len(s); i++ {
				if s[i] < '0' || s[i] > '9' {
					t.Fatalf("accepted %q with a non-digit", s)
				}
			}
		}
		if ValidEDRPOU(s) && len(s) != 8 || ValidDRFO(s) && len(s) != 10 {
			t.Fatalf("accepted %q of the wrong length", s)
		}
	})
}
