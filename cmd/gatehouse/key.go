package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/keys"
)

const keyUsage = `usage: gatehouse key rotate-master [--database-url URL] [--config FILE]
Re-seals every value sealed at rest (signing and credential keys, TOTP secrets,
queued mail and texts, refresh successors kept for the grace, Idempotency-Key
answers) under GATEHOUSE_MASTER_KEY. GATEHOUSE_MASTER_KEY_PREVIOUS names the key
being replaced. Nodes keep serving meanwhile, each started with both keys; run
it again until it re-seals nothing, then remove the previous key from every node
(docs/operations.md, "Keys"). Without a previous key it only checks that the
current key opens everything.`

// keyCmd is `gatehouse key rotate-master`: the second step of a master-key
// rotation, once every node runs with the new key and the previous one.
func keyCmd(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rotate-master" {
		return usage(keyUsage)
	}
	cfg, _, err := toolConfig("key rotate-master", args[1:], env, stderr)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	sealer, err := keys.LoadSealer(cfg.MasterKey, cfg.MasterKeyPrevious, cfg.SQLitePath())
	if err != nil {
		return err
	}
	rep, err := app.Reseal(ctx, cfg.DatabaseURL, sealer.Reseal)
	for _, c := range rep.Columns {
		fmt.Fprintf(stdout, "%-32s %6d read %6d re-sealed", c.Column, c.Read, c.Resealed)
		if c.Meantime > 0 {
			fmt.Fprintf(stdout, " %6d changed by a node meanwhile (left as it wrote them)", c.Meantime)
		}
		fmt.Fprintln(stdout)
	}
	if err != nil {
		return err
	}
	if len(rep.Failed) > 0 {
		return fmt.Errorf("%d sealed values open with neither GATEHOUSE_MASTER_KEY nor GATEHOUSE_MASTER_KEY_PREVIOUS "+
			"(were they sealed with a third key?); they were left as they are:\n  %s", len(rep.Failed), strings.Join(rep.Failed, "\n  "))
	}
	fmt.Fprintln(stdout, "every sealed value opens with GATEHOUSE_MASTER_KEY")
	return nil
}
