package password

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// lowerPriority adds nice to the niceness of every thread of this process.
// Linux keeps a niceness per thread (setpriority with PRIO_PROCESS and a
// thread id sets that thread's), and a new thread inherits the one of the
// thread that made it, so once every thread is niced every later one is
// too. The Go runtime may start a thread while the list is walked, from a
// thread not yet niced: the walk repeats until it finds none to change.
func lowerPriority(nice int) error {
	base, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	if err != nil {
		return fmt.Errorf("getpriority: %w", err)
	}
	target := min(20-base+nice, 19) // the raw system call answers 20 - niceness
	for changed := true; changed; {
		changed = false
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return err
		}
		for _, task := range tasks {
			tid, err := strconv.Atoi(task.Name())
			if err != nil {
				continue
			}
			cur, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
			if err != nil || 20-cur == target {
				continue // a thread that just ended, or done
			}
			if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, target); err != nil {
				return fmt.Errorf("setpriority: %w", err)
			}
			changed = true
		}
	}
	return nil
}
