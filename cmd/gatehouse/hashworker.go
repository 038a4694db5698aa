package main

import (
	"context"
	"io"
	"os"

	"github.com/gatehouse/gatehouse/internal/password"
)

// hashWorker is `gatehouse hash-worker [--nice N]`, the process in which
// `serve` runs argon2id at a lower priority (GATEHOUSE_HASH_NICE): it reads
// jobs on stdin and answers on stdout until its stdin ends, which happens
// when the server stops or dies. Not a command for people.
func hashWorker(_ context.Context, args []string, _ func(string) string, stdout, _ io.Writer) error {
	return password.WorkerMain(args, os.Stdin, stdout)
}

// hashWorkerCommand is how serve starts its hash worker: this very binary.
func hashWorkerCommand() []string {
	exe, err := os.Executable()
	if err != nil {
		return nil // hash in the server process
	}
	return []string{exe, "hash-worker"}
}
