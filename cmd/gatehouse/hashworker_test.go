package main

import (
	"context"
	"os"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/password"
)

// TestMain lets this test binary be started as the gatehouse command, and
// as `gatehouse hash-worker`, as
// a server started by a test of this package starts it (os.Executable is
// the test binary here).
func TestMain(m *testing.M) {
	// GATEHOUSE_TEST_CLI_MAIN: run as the gatehouse command, exit status
	// and all (cli_test.go).
	if os.Getenv("GATEHOUSE_TEST_CLI_MAIN") == "1" {
		os.Exit(execute(context.Background(), os.Args[1:], &cli{env: config.Environ, environ: os.Environ, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}))
	}
	if len(os.Args) > 1 && os.Args[1] == "hash-worker" {
		if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestServeStartsItsOwnBinaryAsTheHashWorker: the command serve gives the
// hasher runs `hash-worker` of this binary, and hashes made there verify.
func TestServeStartsItsOwnBinaryAsTheHashWorker(t *testing.T) {
	cmd := hashWorkerCommand()
	if len(cmd) != 2 || cmd[1] != "hash-worker" {
		t.Fatalf("hash worker command %q", cmd)
	}
	params := password.Params{Memory: 64, Time: 1, Threads: 1}
	h, err := password.New(password.Options{Params: params, Process: &password.ProcessOptions{Command: cmd, Nice: 5}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	hash, err := h.Hash(context.Background(), "a password")
	if err != nil {
		t.Fatal(err)
	}
	local, _ := password.New(password.Options{Params: params})
	if ok, _, err := local.Verify(context.Background(), hash, "a password"); !ok || err != nil {
		t.Fatalf("the worker's hash does not verify here: %v, %v", ok, err)
	}
}
