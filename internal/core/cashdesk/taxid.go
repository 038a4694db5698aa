package cashdesk

// Ukrainian tax identifiers of the cashdesk door (the cashdesk API): the EDRPOU of a
// legal entity (8 digits) and the DRFO / RNOKPP of a person (10 digits).
// Both end in a check digit; a typo in one digit or a swap of neighbours is
// caught here instead of at the tax service.

// ValidEDRPOU reports whether s is 8 digits whose last is the check digit
// of the State Statistics Service's rule: weights 1…7 (or 7,1,…,6 for codes
// between 30000000 and 60000000), sum mod 11; a remainder of 10 is retried
// with every weight raised by 2, and a second 10 counts as 0.
func ValidEDRPOU(s string) bool {
	d, ok := digits(s, 8)
	if !ok {
		return false
	}
	w := [7]int{1, 2, 3, 4, 5, 6, 7}
	if s >= "30000000" && s <= "60000000" {
		w = [7]int{7, 1, 2, 3, 4, 5, 6}
	}
	c := weighted(d[:7], w[:], 0) % 11
	if c == 10 {
		c = weighted(d[:7], w[:], 2) % 11
		if c == 10 {
			c = 0
		}
	}
	return c == d[7]
}

// ValidDRFO reports whether s is a 10-digit RNOKPP (the DRFO number) whose
// last digit is its check digit: weights -1,5,7,9,4,6,10,5,7 over the first
// nine digits, the sum mod 11, then mod 10.
func ValidDRFO(s string) bool {
	d, ok := digits(s, 10)
	if !ok {
		return false
	}
	w := []int{-1, 5, 7, 9, 4, 6, 10, 5, 7}
	// The sum can be negative (a leading 9 and little else); take the
	// non-negative remainder, as the rule means.
	c := ((weighted(d[:9], w, 0) % 11) + 11) % 11 % 10
	return c == d[9]
}

// digits returns the n decimal digits of s, or false when s is not exactly
// n ASCII digits.
func digits(s string, n int) ([]int, bool) {
	if len(s) != n {
		return nil, false
	}
	d := make([]int, n)
	for i := range n {
		if s[i] < '0' || s[i] > '9' {
			return nil, false
		}
		d[i] = int(s[i] - '0')
	}
	return d, true
}

func weighted(d, w []int, add int) int {
	sum := 0
	for i := range d {
		sum += d[i] * (w[i] + add)
	}
	return sum
}
