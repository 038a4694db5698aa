package config

import (
	"strings"
	"testing"
	"time"
)

func TestTheHashWaitBudgetIsASettingWithinHalfTheRequestDeadline(t *testing.T) {
	if got := Default().HashMaxWait; got != 2*time.Second {
		t.Fatalf("default GATEHOUSE_HASH_MAX_WAIT %v; want 2s", got)
	}
	if got := Default().HashNice; got != 3 {
		t.Fatalf("default GATEHOUSE_HASH_NICE %d; want 3 (BENCHMARKS.md)", got)
	}
	for _, bad := range []int{-1, 20} {
		c := Default()
		c.HashNice = bad
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "GATEHOUSE_HASH_NICE") {
			t.Fatalf("GATEHOUSE_HASH_NICE=%d: %v; want refused", bad, err)
		}
	}
	c, err := Load(nil, env(map[string]string{"GATEHOUSE_HASH_MAX_WAIT": "750ms"}))
	if err != nil || c.HashMaxWait != 750*time.Millisecond || c.Validate() != nil {
		t.Fatalf("GATEHOUSE_HASH_MAX_WAIT=750ms: %v, %v", c.HashMaxWait, err)
	}
	if got := c.HashWait(); got != 750*time.Millisecond {
		t.Fatalf("HashWait %v; want the setting, 750ms", got)
	}
	c.RequestTimeout = time.Second // a short deadline is valid and lowers the budget
	if err := c.Validate(); err != nil || c.HashWait() != 500*time.Millisecond {
		t.Fatalf("request timeout 1s: %v, HashWait %v; want valid, 500ms", err, c.HashWait())
	}
	for _, bad := range []time.Duration{0, -time.Second, 2 * time.Minute} {
		c := Default()
		c.HashMaxWait = bad
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "GATEHOUSE_HASH_MAX_WAIT") {
			t.Fatalf("GATEHOUSE_HASH_MAX_WAIT=%v: %v; want refused, naming the setting", bad, err)
		}
	}
}
