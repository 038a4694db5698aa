package bank

// ValidIIN reports whether s is a Kazakhstan individual identification
// number (ИИН): 12 digits, YYMMDD of birth in the first six, a century-and-
// sex digit (0-6; 0 for numbers given to some foreign residents) in the
// seventh, and a check digit in the twelfth. The check digit is the sum of
// the first eleven digits weighted 1…11, modulo 11; when that is 10, the
// weights 3…11,1,2 are used instead, and a second 10 means no valid number
// ends that way.
func ValidIIN(s string) bool {
	if len(s) != 12 {
		return false
	}
	var d [12]int
	for i := range 12 {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d[i] = int(c - '0')
	}
	month, day := d[2]*10+d[3], d[4]*10+d[5]
	if month < 1 || month > 12 || day < 1 || day > 31 || d[6] > 6 {
		return false
	}
	check := iinCheck(d, 1)
	if check == 10 {
		check = iinCheck(d, 3)
	}
	return check < 10 && check == d[11]
}

// iinCheck is the weighted sum of the first eleven digits modulo 11, the
// weights starting at first and wrapping from 11 back to 1.
func iinCheck(d [12]int, first int) int {
	sum := 0
	for i := range 11 {
		w := (first-1+i)%11 + 1
		sum += d[i] * w
	}
	return sum % 11
}
