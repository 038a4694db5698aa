package password

import (
	"bufio"
	"encoding/gob"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// A hash worker is a child process — the server's own binary, run as
// `gatehouse hash-worker` — that computes argon2id for the pool at a lower
// CPU priority (a higher nice value) than the server. While logins hash,
// every other request then gets the CPU as soon as it is ready, preempted
// in by the kernel, instead of waiting up to Go's 10 ms scheduling quantum
// behind a hash; the hashes take whatever CPU the requests leave. Niceness
// cannot be given to the hashing goroutines of the server itself:
// x/crypto's argon2 runs each segment of every lane in a goroutine of its
// own, even with one lane, on whichever thread Go picks (BENCHMARKS.md).
//
// The pool still decides what runs: it sends a job only from a worker
// slot, so the child never computes more hashes at once than the pool has
// workers, and its memory is bounded the same way (its memory limit is set
// from the pool, workermem.go). Jobs and answers travel over the child's
// stdin and stdout as gob values; the child sees no other input and no
// environment but its memory settings, so no secret of the server's
// configuration reaches it.

// job is one hash asked of the child.
type job struct {
	ID       uint64
	Password []byte
	Salt     []byte
	Params   Params
}

// answer is the child's reply to job ID.
type answer struct {
	ID  uint64
	Key []byte
	Err string // a job the child refused (parameters beyond its limits)
}

// ProcessOptions start a hash worker.
type ProcessOptions struct {
	Command []string // the worker's argv, e.g. {"/usr/bin/gatehouse", "hash-worker"}
	Nice    int      // added niceness of the worker, 0–19
	// MemoryLimit is the child's GOMEMLIMIT in bytes (WorkerMemoryLimit:
	// the pool's argon2id buffers and a margin), and turns GOGC off in the
	// child, which collects after each hash instead (workermem.go); 0
	// leaves the Go defaults.
	MemoryLimit int64
}

// process is the parent's side of the hash worker: it starts the child,
// sends jobs, hands answers back to their callers, and starts a new child
// when one died.
type process struct {
	opts ProcessOptions

	mu      sync.Mutex
	cur     *child
	started time.Time // of the last start, to restart at most once a second
	lastErr error
	nextID  uint64
}

// child is one running worker process.
type child struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	wmu     sync.Mutex // serialises jobs on stdin
	enc     *gob.Encoder
	mu      sync.Mutex
	pending map[uint64]chan answer
	dead    chan struct{} // closed when the child can answer no more
	err     error         // why, once dead is closed
}

func newProcess(o ProcessOptions) *process { return &process{opts: o} }

// hash runs argon2id in the worker. A worker that cannot be started or
// died with the job answers core.ErrUnavailable (503, retry): never a
// wrong key, which would judge a right password wrong.
func (p *process) hash(password, salt []byte, params Params) ([]byte, error) {
	c, id, err := p.child()
	if err != nil {
		return nil, core.ErrUnavailable.With(err)
	}
	done := make(chan answer, 1)
	c.mu.Lock()
	c.pending[id] = done
	c.mu.Unlock()
	c.wmu.Lock()
	err = c.enc.Encode(job{ID: id, Password: password, Salt: salt, Params: params})
	c.wmu.Unlock()
	if err != nil {
		c.fail(fmt.Errorf("send: %w", err))
	}
	select {
	case a := <-done:
		if a.Err != "" {
			return nil, fmt.Errorf("password: hash worker: %s", a.Err)
		}
		return a.Key, nil
	case <-c.dead:
		return nil, core.ErrUnavailable.With(fmt.Errorf("password: hash worker: %w", c.err))
	}
}

// child returns the running worker and a fresh job id, starting a worker
// if none runs (at most once a second, so a binary that cannot start is
// not forked for every sign-in).
func (p *process) child() (*child, uint64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nextID++
	if p.cur != nil && !p.cur.isDead() {
		return p.cur, p.nextID, nil
	}
	if p.lastErr != nil && time.Since(p.started) < time.Second {
		return nil, 0, p.lastErr
	}
	p.started = time.Now()
	c, err := startChild(p.opts)
	if err != nil {
		p.lastErr = fmt.Errorf("password: start hash worker: %w", err)
		return nil, 0, p.lastErr
	}
	p.cur, p.lastErr = c, nil
	return c, p.nextID, nil
}

func startChild(o ProcessOptions) (*child, error) {
	if len(o.Command) == 0 {
		return nil, errors.New("no command")
	}
	args := append(o.Command[1:len(o.Command):len(o.Command)], "--nice", strconv.Itoa(o.Nice))
	cmd := exec.Command(o.Command[0], args...)
	cmd.Env = workerEnv(o.MemoryLimit)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, stdin: stdin, enc: gob.NewEncoder(stdin), pending: map[uint64]chan answer{}, dead: make(chan struct{})}
	go c.read(stdout)
	return c, nil
}

// read hands each answer to its caller until the child's stdout ends.
func (c *child) read(stdout io.Reader) {
	dec := gob.NewDecoder(bufio.NewReader(stdout))
	for {
		var a answer
		if err := dec.Decode(&a); err != nil {
			c.fail(fmt.Errorf("read: %w", err))
			c.cmd.Wait()
			return
		}
		c.mu.Lock()
		done := c.pending[a.ID]
		delete(c.pending, a.ID)
		c.mu.Unlock()
		if done != nil {
			done <- a
		}
	}
}

// fail marks the child dead (once) and stops it; callers waiting on it get
// err.
func (c *child) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.isDead() {
		return
	}
	c.err = err
	close(c.dead)
	c.stdin.Close()
	c.cmd.Process.Kill()
}

func (c *child) isDead() bool {
	select {
	case <-c.dead:
		return true
	default:
		return false
	}
}

// close stops the worker: it sees its stdin end and exits.
func (p *process) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur != nil {
		p.cur.stdin.Close()
		p.cur = nil
	}
}

// WorkerMain is `gatehouse hash-worker [--nice N]`: it lowers its own
// priority by N, then serves jobs from r until r ends (ServeWorker).
func WorkerMain(args []string, r io.Reader, w io.Writer) error {
	fs := flag.NewFlagSet("hash-worker", flag.ContinueOnError)
	nice := fs.Int("nice", 0, "niceness to add to this process, 0-19")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *nice > 0 {
		if err := lowerPriority(*nice); err != nil {
			return fmt.Errorf("hash-worker: lower priority: %w", err)
		}
	}
	return ServeWorker(r, w)
}

// ServeWorker reads jobs from r and writes
// each answer to w as soon as its hash is done, hashing jobs concurrently
// (the parent's pool bounds how many it sends at once), until r ends.
// Parameters beyond the limits Verify accepts are refused, not computed.
func ServeWorker(r io.Reader, w io.Writer) error {
	dec := gob.NewDecoder(bufio.NewReader(r))
	enc := gob.NewEncoder(w)
	lim := defaultLimits()
	col := newCollector()
	var wmu sync.Mutex
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		var j job
		if err := dec.Decode(&j); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("hash-worker: read job: %w", err)
		}
		wg.Go(func() {
			a := answer{ID: j.ID}
			if err := j.Params.check(lim); err != nil {
				a.Err = err.Error()
			} else {
				a.Key = argon2id(j.Password, j.Salt, j.Params)
				// Free this hash's block before the parent, seeing the
				// answer, sends the job that will reuse its pages
				// (workermem.go).
				col.afterHash()
			}
			wmu.Lock()
			defer wmu.Unlock()
			enc.Encode(a) // a parent gone is noticed on the next read
		})
	}
}
