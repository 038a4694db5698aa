//go:build !linux

package password

// lowerPriority is implemented on Linux only; elsewhere the hash worker
// runs at the server's priority.
func lowerPriority(int) error { return nil }
