package main

import (
	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/core/cashdesk"
	"github.com/gatehouse/gatehouse/internal/door/admin"
)

// registerCmd manages cash registers, as the admin API's
// /admin/v1/registers (docs/cashdesk.md).
func (c *cli) registerCmd() *cobra.Command {
	create := c.action("create FISCAL_NUMBER", "Create a cash register", 1, 1, nil, func(cmd *cobra.Command, srv *app.App, a []string) (any, error) {
		r, err := srv.Cashdesk.CreateRegister(cmd.Context(), a[0], str(cmd.Flags(), "name"))
		return admin.RegisterView(r), err
	})
	create.Flags().String("name", "", "register name")
	g := group("register", "Cashdesk door: cash registers", create,
		c.action("list", "List the cash registers", 0, 0, nil, func(cmd *cobra.Command, srv *app.App, _ []string) (any, error) {
			regs, err := srv.Cashdesk.Registers(cmd.Context())
			return map[string]any{"registers": admin.Views(regs, admin.RegisterView)}, err
		}),
		c.action("assign REGISTER_ID USER", "Let USER (id, UUID or e-mail) work at a register", 2, 2, nil, c.assign),
		c.action("unassign REGISTER_ID USER", "Take a register away from USER", 2, 2, nil, c.assign),
	)
	toolFlags(g.PersistentFlags())
	outputFlag(g.PersistentFlags())
	return g
}

func (c *cli) assign(cmd *cobra.Command, srv *app.App, a []string) (any, error) {
	id, err := number(cmd, "register id", a[0])
	if err != nil {
		return nil, err
	}
	u, err := findUser(cmd.Context(), srv.Identity, a[1])
	if err != nil {
		return nil, err
	}
	var r cashdesk.Register
	if cmd.Name() == "assign" {
		r, err = srv.Cashdesk.AssignRegister(cmd.Context(), id, u.ID)
	} else {
		r, err = srv.Cashdesk.UnassignRegister(cmd.Context(), id, u.ID)
	}
	return admin.RegisterView(r), notFound(err, "no register %d", id)
}

// developerCmd manages developers (integrators), as /admin/v1/developers.
func (c *cli) developerCmd() *cobra.Command {
	g := group("developer", "Cashdesk door: developers (integrators) and the developer_id of users",
		c.action("create NAME", "Create a developer", 1, 1, nil, func(cmd *cobra.Command, srv *app.App, a []string) (any, error) {
			d, err := srv.Cashdesk.CreateDeveloper(cmd.Context(), a[0])
			return admin.DeveloperView(d), err
		}),
		c.action("list", "List the developers", 0, 0, nil, func(cmd *cobra.Command, srv *app.App, _ []string) (any, error) {
			devs, err := srv.Cashdesk.Developers(cmd.Context())
			return map[string]any{"developers": admin.Views(devs, admin.DeveloperView)}, err
		}),
		c.action("set USER DEVELOPER_ID|none", "Set the developer_id the cashdesk door reports for USER", 2, 2, nil, func(cmd *cobra.Command, srv *app.App, a []string) (any, error) {
			u, err := findUser(cmd.Context(), srv.Identity, a[0])
			if err != nil {
				return nil, err
			}
			var dev *int64
			if a[1] != "none" {
				id, err := number(cmd, "developer id (or none)", a[1])
				if err != nil {
					return nil, err
				}
				dev = &id
			}
			p, err := srv.Cashdesk.SetDeveloper(cmd.Context(), u.ID, dev)
			return map[string]any{"user_id": u.ID, "developer_id": p.DeveloperID}, err
		}),
	)
	toolFlags(g.PersistentFlags())
	outputFlag(g.PersistentFlags())
	return g
}
