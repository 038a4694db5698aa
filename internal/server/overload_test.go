package server_test

import (
	"bytes"
	"net/http"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestAStormOfLoginsIsShedWithBoundedMemory fires thousands of concurrent
// logins at a hashing pool of one worker and a short queue. The excess
// must be answered 503 with Retry-After at once, memory must stay bounded
// by the pool (not grow with the crowd), and logins must keep succeeding.
// Each hash costs 8 MiB, so an unbounded server would need 16 GiB here.
//
// GATEHOUSE_OVERLOAD_DEFAULT=1 runs it with the default parameters
// (argon2id 19 MiB, t=2, one worker per core) for SECURITY.md's figure.
func TestAStormOfLoginsIsShedWithBoundedMemory(t *testing.T) {
	const storm = 2000
	opts := password.Options{Params: password.Params{Memory: 8 << 10, Time: 1, Threads: 1}, Workers: 1, Queue: 4}
	if os.Getenv("GATEHOUSE_OVERLOAD_DEFAULT") == "1" {
		opts = password.Options{Params: password.DefaultParams()}
	}
	h, err := password.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, testenv.SQLite, nil, func(o *testenv.Options) { o.Hasher = h })
	signUp(t, e, "kim@example.com", "kim's password")
	body := []byte(`{"username":"kim@example.com","password":"kim's password"}`)

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // sample the heap while the storm lasts
		defer close(sampled)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: storm, DisableCompression: true}}
	defer client.CloseIdleConnections()
	var ok, shed, other atomic.Int64
	var noRetryAfter atomic.Int64
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < storm; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := client.Post(e.URL+"/v1/auth/login", "application/json", bytes.NewReader(body))
			if err != nil {
				other.Add(1)
				return
			}
			res.Body.Close()
			switch res.StatusCode {
			case 200:
				ok.Add(1)
			case 503:
				shed.Add(1)
				if res.Header.Get("Retry-After") == "" {
					noRetryAfter.Add(1)
				}
			default:
				other.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(stop)
	<-sampled

	growth := int64(peak.Load()) - int64(base.HeapInuse)
	t.Logf("%d concurrent logins: %d ok, %d shed with 503; heap in use %d MiB before, peak %d MiB (+%d MiB); pool %+v",
		storm, ok.Load(), shed.Load(), base.HeapInuse>>20, peak.Load()>>20, growth>>20, h.Stats())
	if other.Load() != 0 || noRetryAfter.Load() != 0 {
		t.Fatalf("%d answers neither 200 nor 503, %d 503s without Retry-After", other.Load(), noRetryAfter.Load())
	}
	if ok.Load() == 0 || shed.Load() == 0 {
		t.Fatalf("%d ok, %d shed: want both", ok.Load(), shed.Load())
	}
	// 256 MiB is the crowd's sockets and goroutines; 2000 live hashes would be 16 GiB.
	if growth > 256<<20 {
		t.Fatalf("heap grew by %d MiB under the storm", growth>>20)
	}
	mustLogin(t, e, "kim@example.com", "kim's password") // and the server is fine afterwards
}
