package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/internal/buildinfo"
	"github.com/gatehouse/gatehouse/internal/config"
)

// root is the command tree (spf13/cobra): `gatehouse` alone serves, as
// `gatehouse serve` does; every level answers --help and `help` with exit
// status 0.
func (c *cli) root() *cobra.Command {
	root := &cobra.Command{
		Use:   "gatehouse [flags]",
		Short: "Gatehouse: one identity core behind the platform, bank and cashdesk doors",
		Long: "Gatehouse is an authentication server. Without a command it serves (gatehouse serve).\n" +
			"Every setting is a flag, a GATEHOUSE_* variable and a key of the --config YAML file;\n" +
			"a flag beats the variable, which beats the file.",
		Version:       buildinfo.Get().String(),
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          noCommand,
		RunE:          c.serve,
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return usage(cmd, "%v", err) })
	config.AddFlags(root.Flags())
	root.AddCommand(c.serveCmd(), c.migrateCmd(), c.userCmd(), c.auditCmd(), c.bankCmd(), c.clientCmd(), c.registerCmd(), c.developerCmd(),
		c.backupCmd(), c.keyCmd(), c.healthcheckCmd(), c.hashWorkerCmd(), c.versionCmd())
	return root
}

// usageError is a command line that does not fit its command: exit
// status 2, and a pointer to the command's help.
type usageError struct {
	command string // "gatehouse user create"
	msg     string
}

func (e *usageError) Error() string { return e.msg }

func usage(cmd *cobra.Command, format string, a ...any) error {
	return &usageError{command: cmd.CommandPath(), msg: fmt.Sprintf(format, a...)}
}

// noCommand refuses an argument where a command (or an action) was
// expected, naming the ones there are.
func noCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	var names []string
	for _, sub := range cmd.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	return usage(cmd, "unknown command %q for %q (commands: %s)", args[0], cmd.CommandPath(), strings.Join(names, ", "))
}

// group is a command whose actions are subcommands: alone it shows its
// help (exit 0); an unknown action is a usage error.
func group(use, short string, actions ...*cobra.Command) *cobra.Command {
	g := &cobra.Command{Use: use + " ACTION", Short: short, Args: noCommand,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	g.AddCommand(actions...)
	return g
}

// args checks the count of positional arguments, as a usage error.
func args(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		switch {
		case len(a) < min:
			return usage(cmd, "missing argument: %s", cmd.UseLine())
		case max >= 0 && len(a) > max:
			return usage(cmd, "too many arguments %q: %s", a[max:], cmd.UseLine())
		}
		return nil
	}
}

// toolFlags are the flags of an operator's command that works on the
// configured database: --config and --database-url (the rest comes from
// the environment and the file, as for serve).
func toolFlags(fs *pflag.FlagSet) {
	config.AddConfigFlag(fs)
	config.AddFlag(fs, "database-url", "database to work on (sqlite://PATH or postgres://…)")
}
