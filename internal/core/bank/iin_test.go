package bank

import "testing"

// iinWithCheck completes eleven digits with their check digit, computed
// here independently of ValidIIN by the published rule.
func iinWithCheck(t *testing.T, first11 string) string {
	t.Helper()
	w1 := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	w2 := []int{3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2}
	sum := func(w []int) int {
		s := 0
		for i, c := range first11 {
			s += int(c-'0') * w[i]
		}
		return s % 11
	}
	c := sum(w1)
	if c == 10 {
		c = sum(w2)
	}
	if c == 10 {
		t.Fatalf("%s has no valid check digit", first11)
	}
	return first11 + string(rune('0'+c))
}

func TestValidIINAcceptsNumbersWithTheirCheckDigit(t *testing.T) {
	for _, first := range []string{"90010130012", "85123140056", "02063050011", "77070710000"} {
		iin := iinWithCheck(t, first)
		if !ValidIIN(iin) {
			t.Errorf("ValidIIN(%q) = false, want true", iin)
		}
	}
}

func TestValidIINUsesTheSecondWeightsWhenTheFirstGiveTen(t *testing.T) {
	// Search the space for a number whose first weighted sum is 10, so
	// the test exercises the second round whatever digits that takes.
	for n := 0; n < 100000; n++ {
		first := "900101" + string(rune('0'+3)) + pad4(n%10000)
		sum := 0
		for i, c := range first {
			sum += int(c-'0') * (i + 1)
		}
		if sum%11 != 10 {
			continue
		}
		w2 := []int{3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2}
		s2 := 0
		for i, c := range first {
			s2 += int(c-'0') * w2[i]
		}
		if s2%11 == 10 {
			if ValidIIN(first + "0") {
				t.Errorf("ValidIIN accepted %s0 whose both sums are 10", first)
			}
			continue
		}
		iin := first + string(rune('0'+s2%11))
		if !ValidIIN(iin) {
			t.Fatalf("ValidIIN(%q) = false, want true (second weights)", iin)
		}
		return
	}
	t.Fatal("no number with a first sum of 10 found")
}

func pad4(n int) string {
	b := []byte("0000")
	for i := 3; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b)
}

func TestValidIINRefusesMalformedNumbers(t *testing.T) {
	good := iinWithCheck(t, "90010130012")
	wrongCheck := good[:11] + string(rune('0'+(int(good[11]-'0')+1)%10))
	for name, s := range map[string]string{
		"empty":            "",
		"eleven digits":    good[:11],
		"thirteen digits":  good + "0",
		"a letter":         "9001013001a" + good[11:],
		"wrong check":      wrongCheck,
		"month 13":         iinWithCheck(t, "90130130012"),
		"day 00":           iinWithCheck(t, "90010030012"),
		"century digit 7":  iinWithCheck(t, "90010170012"),
		"the seed's masks": "111111111111",
		"unicode digits":   "９００１０１３００１２３",
	} {
		if ValidIIN(s) {
			t.Errorf("%s: ValidIIN(%q) = true, want false", name, s)
		}
	}
}
