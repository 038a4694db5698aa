package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/keys"
)

// keyCmd holds `gatehouse key rotate-master`: the second step of a
// master-key rotation, once every node runs with the new key and the
// previous one.
func (c *cli) keyCmd() *cobra.Command {
	rotate := &cobra.Command{Use: "rotate-master [--database-url URL] [--config FILE]", Short: "Re-seal every sealed value under GATEHOUSE_MASTER_KEY",
		Long: "Re-seals every value sealed at rest (signing and credential keys, TOTP secrets,\n" +
			"queued mail and texts, refresh successors kept for the grace, Idempotency-Key\n" +
			"answers) under GATEHOUSE_MASTER_KEY. GATEHOUSE_MASTER_KEY_PREVIOUS names the key\n" +
			"being replaced. Nodes keep serving meanwhile, each started with both keys; run\n" +
			"it again until it re-seals nothing, then remove the previous key from every node\n" +
			"(docs/operations.md, \"Keys\"). Without a previous key it only checks that the\n" +
			"current key opens everything.",
		Args: args(0, 0), RunE: c.rotateMaster}
	toolFlags(rotate.Flags())
	return group("key", "Master key operations", rotate)
}

func (c *cli) rotateMaster(cmd *cobra.Command, _ []string) error {
	cfg, err := c.config(cmd, true)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if err := needDatabase(cfg); err != nil {
		return err
	}
	sealer, err := keys.LoadSealer(cfg.MasterKey, cfg.MasterKeyPrevious, cfg.SQLitePath())
	if err != nil {
		return err
	}
	rep, err := app.Reseal(cmd.Context(), cfg.DatabaseURL, sealer.Reseal)
	for _, col := range rep.Columns {
		fmt.Fprintf(c.stdout, "%-32s %6d read %6d re-sealed", col.Column, col.Read, col.Resealed)
		if col.Meantime > 0 {
			fmt.Fprintf(c.stdout, " %6d changed by a node meanwhile (left as it wrote them)", col.Meantime)
		}
		fmt.Fprintln(c.stdout)
	}
	if err != nil {
		return err
	}
	if len(rep.Failed) > 0 {
		return fmt.Errorf("%d sealed values open with neither GATEHOUSE_MASTER_KEY nor GATEHOUSE_MASTER_KEY_PREVIOUS "+
			"(were they sealed with a third key?); they were left as they are:\n  %s", len(rep.Failed), strings.Join(rep.Failed, "\n  "))
	}
	fmt.Fprintln(c.stdout, "every sealed value opens with GATEHOUSE_MASTER_KEY")
	return nil
}
