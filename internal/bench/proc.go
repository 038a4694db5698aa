package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat.
// It is 100 on every Linux architecture Go supports (the kernel exports
// it to user space as a constant).
const clockTicks = 100

// CPUTime returns the user plus system CPU time the process has used so far.
func CPUTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("cpu time of %d: %w", pid, err)
	}
	// The command name (field 2) is in parentheses and may hold spaces;
	// the fields after the last ')' are plain: state is field 3, utime 14, stime 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("cpu time of %d: unexpected stat %q", pid, b)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("cpu time of %d: short stat", pid)
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("cpu time of %d: %w", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// Memory returns the process's resident set now (VmRSS) and its peak
// (VmHWM) in MiB.
func Memory(pid int) (rss, peak float64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("memory of %d: %w", pid, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, val, found := strings.Cut(sc.Text(), ":")
		if !found || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 64)
		if err != nil {
			return 0, 0, fmt.Errorf("memory of %d: %s: %w", pid, name, err)
		}
		if name == "VmRSS" {
			rss = kb / 1024
		} else {
			peak = kb / 1024
		}
	}
	return rss, peak, sc.Err()
}

// ResetPeak resets the process's VmHWM to its current RSS (Linux ≥ 4.0,
// writing 5 to clear_refs), so that a run's peak is its own. It needs the
// right to write the file (same user or root); a failure is reported and
// the peak is then the lifetime one.
func ResetPeak(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// ServerProbe reads a server process's counters around a measured window.
type ServerProbe struct {
	PID   int
	PGURL string // when set, the new connections to this database are counted
	pg0   int64
	cpu0  time.Duration
	own0  time.Duration // the server process alone, without its hash worker
	self0 time.Duration // this process's CPU: the load tool shares the machine
	t0    time.Time
	stats ServerStats
	err   error
}

// Window is a RunConfig.Window for the probe.
func (p *ServerProbe) Window(start bool) {
	if start {
		for _, pid := range family(p.PID) {
			_ = ResetPeak(pid) // best effort: without it the peak is the lifetime one
		}
		p.cpu0, p.err = familyCPU(p.PID)
		p.own0, _ = CPUTime(p.PID)
		p.self0, _ = CPUTime(os.Getpid())
		if p.PGURL != "" && p.err == nil {
			p.pg0, p.err = PGSessions(p.PGURL)
		}
		p.t0 = time.Now()
		return
	}
	cpu, err := familyCPU(p.PID)
	if err != nil {
		p.err = err
		return
	}
	self, _ := CPUTime(os.Getpid())
	own, _ := CPUTime(p.PID)
	wall := time.Since(p.t0).Seconds()
	p.stats = ServerStats{PID: p.PID, CPUSeconds: (cpu - p.cpu0).Seconds(), CPUCores: (cpu - p.cpu0).Seconds() / wall,
		OwnCPUSeconds: (own - p.own0).Seconds(), ClientCPUSeconds: (self - p.self0).Seconds()}
	if p.PGURL != "" {
		n, err := PGSessions(p.PGURL)
		if err != nil {
			p.err = err
			return
		}
		n -= p.pg0 + 1 // the reading's own connection at the start
		p.stats.PGNewConnections = &n
	}
	for _, pid := range family(p.PID) {
		rss, peak, err := Memory(pid)
		if err != nil {
			p.err = err
			return
		}
		p.stats.RSSMiB += rss
		p.stats.PeakRSSMiB += peak
	}
}

// family is pid and its child processes (a server's hash worker), from
// /proc/<pid>/task/<tid>/children.
func family(pid int) []int {
	pids := []int{pid}
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, t.Name()))
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				pids = append(pids, n)
			}
		}
	}
	return pids
}

// familyCPU is the CPU time of pid and of its child processes: a server
// that hashes in a worker process is charged for the worker's hashes.
func familyCPU(pid int) (time.Duration, error) {
	var total time.Duration
	for i, p := range family(pid) {
		t, err := CPUTime(p)
		if err != nil && i == 0 {
			return 0, err
		}
		total += t
	}
	return total, nil
}

// Attach puts the probe's reading into r.
func (p *ServerProbe) Attach(r *Result) error {
	if p.err != nil {
		return p.err
	}
	s := p.stats
	if r.Requests > 0 {
		s.CPUPerRequest = s.CPUSeconds * 1000 / float64(r.Requests)
		s.OwnCPUPerRequest = s.OwnCPUSeconds * 1000 / float64(r.Requests)
		s.ClientCPUPerRequest = s.ClientCPUSeconds * 1000 / float64(r.Requests)
	}
	r.Server = &s
	return nil
}
