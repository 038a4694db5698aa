package identity

import "testing"

func TestTheACRIsMFAForTwoMethodsElseTheOneMethod(t *testing.T) {
	for _, c := range []struct {
		amr  []string
		want string
	}{
		{nil, ""},
		{[]string{"pwd"}, "pwd"},
		{[]string{"pwd", "otp"}, "mfa"},
		{[]string{"pwd", "sms", "mfa"}, "mfa"},
		{[]string{"pwd", "pwd"}, "pwd"},
		{[]string{"hwk"}, "hwk"},
	} {
		if got := ACR(c.amr); got != c.want {
			t.Errorf("ACR(%v) = %q, want %q", c.amr, got, c.want)
		}
	}
}
