package cluster_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/limit"
)

// binary builds cmd/gatehouse once into the test's directory.
func binary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gatehouse")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/gatehouse/gatehouse/cmd/gatehouse").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// redisPrefix checks that Redis answers and returns a key prefix of this
// test's own (never FLUSHDB). Without Redis the test skips, or fails under
// GATEHOUSE_TEST_SERVICES=require (CI).
func redisPrefix(t *testing.T) string {
	t.Helper()
	r, err := limit.NewRedis(redisURL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Ping(t.Context()); err != nil {
		if os.Getenv("GATEHOUSE_TEST_SERVICES") == "require" {
			t.Fatalf("Redis unreachable at %s and GATEHOUSE_TEST_SERVICES=require: %v", redisURL, err)
		}
		t.Skipf("Redis unreachable at %s: %v", redisURL, err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "gatehouse-cluster-" + hex.EncodeToString(b) + ":"
}

const redisURL = "redis://127.0.0.1:6379/0"

// node is one gatehouse process.
type node struct {
	name string
	url  string // http://127.0.0.1:PORT
	cmd  *exec.Cmd
	log  *lines
	done chan struct{} // closed when the process has exited
}

// lines keeps a process's log for the failure report.
type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lines) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.WriteString(s + "\n")
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// start runs bin serve with env and waits for its "gatehouse listening"
// log line, which names the bound address (every node listens on
// 127.0.0.1:0). On failure the test prints the node's log.
func start(t *testing.T, bin, name string, env []string) *node {
	t.Helper()
	n := &node{name: name, log: &lines{}, done: make(chan struct{})}
	n.cmd = exec.Command(bin, "serve")
	n.cmd.Env = append(os.Environ(), env...)
	stderr, err := n.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	n.cmd.Stdout = io.Discard
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			n.log.add(sc.Text())
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == "gatehouse listening" && rec["public_url"] != nil {
				select {
				case addr <- rec["addr"].(string):
				default:
				}
			}
		}
		_ = n.cmd.Wait()
		close(n.done)
	}()
	t.Cleanup(func() {
		n.stop()
		if t.Failed() {
			t.Logf("log of node %s:\n%s", n.name, n.log)
		}
	})
	select {
	case a := <-addr:
		n.url = "http://" + a
	case <-n.done:
		t.Fatalf("node %s exited before listening:\n%s", name, n.log)
	case <-time.After(60 * time.Second):
		t.Fatalf("node %s did not listen within a minute:\n%s", name, n.log)
	}
	return n
}

// stop ends the process with SIGTERM (a graceful drain), or SIGKILL when
// it does not exit within half a minute.
func (n *node) stop() {
	select {
	case <-n.done:
		return
	default:
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(30 * time.Second):
		_ = n.cmd.Process.Kill()
		<-n.done
	}
}

// kill ends the process at once, as a crash or the OOM killer would.
func (n *node) kill(t *testing.T) {
	t.Helper()
	if err := n.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-n.done
}

// answer is one HTTP answer.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	m := map[string]any{}
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("answer %d %q: %v", a.status, a.body, err)
	}
	return m
}

var httpClient = &http.Client{Timeout: 30 * time.Second}

// do sends a request to the node: body as JSON unless it is a string;
// hdr holds header name/value pairs.
func (n *node) do(t *testing.T, method, path string, body any, hdr ...string) answer {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, n.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s %s: %v", n.name, method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, header: res.Header, body: raw}
}
