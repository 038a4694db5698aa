package admin

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/cashdesk"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// The cashdesk registry (the cashdesk API): cash registers, their assignment to
// cashiers, and the developers (integrators) a cashier works through.

func (d *Door) mountCashdesk(mux *http.ServeMux, h func(httpjson.Handler) http.Handler) {
	mux.Handle("POST /admin/v1/registers", h(d.createRegister))
	mux.Handle("GET /admin/v1/registers", h(d.listRegisters))
	mux.Handle("PUT /admin/v1/registers/{id}/users/{ref}", h(d.assignRegister(true)))
	mux.Handle("DELETE /admin/v1/registers/{id}/users/{ref}", h(d.assignRegister(false)))
	mux.Handle("POST /admin/v1/developers", h(d.createDeveloper))
	mux.Handle("GET /admin/v1/developers", h(d.listDevelopers))
	mux.Handle("PUT /admin/v1/users/{ref}/developer", h(d.setDeveloper))
}

// Register is the admin view of a cash register.
type Register struct {
	ID           int64   `json:"id"`
	FiscalNumber string  `json:"fiscal_number"`
	Name         string  `json:"name"`
	CreatedAt    string  `json:"created_at"`
	UserIDs      []int64 `json:"user_ids"`
}

// RegisterView converts a core register (shared with the CLI).
func RegisterView(r cashdesk.Register) Register {
	v := Register{ID: r.ID, FiscalNumber: r.FiscalNumber, Name: r.Name, CreatedAt: r.CreatedAt.Format(time.RFC3339), UserIDs: r.UserIDs}
	if v.UserIDs == nil {
		v.UserIDs = []int64{}
	}
	return v
}

// Developer is the admin view of a developer.
type Developer struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
}

// DeveloperView converts a core developer (shared with the CLI).
func DeveloperView(x cashdesk.Developer) Developer {
	return Developer{ID: x.ID, Name: x.Name, CreatedAt: x.CreatedAt.Format(time.RFC3339)}
}

func (d *Door) createRegister(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		FiscalNumber string `json:"fiscal_number"`
		Name         string `json:"name"`
	}
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	reg, err := d.Cashdesk.CreateRegister(r.Context(), req.FiscalNumber, req.Name)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusCreated, RegisterView(reg))
	return nil
}

func (d *Door) listRegisters(w http.ResponseWriter, r *http.Request) error {
	regs, err := d.Cashdesk.Registers(r.Context())
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, struct {
		Registers []Register `json:"registers"`
	}{Views(regs, RegisterView)})
	return nil
}

func (d *Door) assignRegister(assign bool) httpjson.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return core.ErrNotFound
		}
		u, err := d.user(r)
		if err != nil {
			return err
		}
		var reg cashdesk.Register
		if assign {
			reg, err = d.Cashdesk.AssignRegister(r.Context(), id, u.ID)
		} else {
			reg, err = d.Cashdesk.UnassignRegister(r.Context(), id, u.ID)
		}
		if err != nil {
			return err
		}
		httpjson.Write(w, http.StatusOK, RegisterView(reg))
		return nil
	}
}

func (d *Door) createDeveloper(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Name string `json:"name"`
	}
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	dev, err := d.Cashdesk.CreateDeveloper(r.Context(), req.Name)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusCreated, DeveloperView(dev))
	return nil
}

func (d *Door) listDevelopers(w http.ResponseWriter, r *http.Request) error {
	devs, err := d.Cashdesk.Developers(r.Context())
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, struct {
		Developers []Developer `json:"developers"`
	}{Views(devs, DeveloperView)})
	return nil
}

// setDeveloper names the developer a cashier works through: the
// developer_id of the cashdesk door's authenticate answer; null clears it.
func (d *Door) setDeveloper(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		DeveloperID *int64 `json:"developer_id"`
	}
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	u, err := d.user(r)
	if err != nil {
		return err
	}
	p, err := d.Cashdesk.SetDeveloper(r.Context(), u.ID, req.DeveloperID)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, struct {
		UserID      int64  `json:"user_id"`
		DeveloperID *int64 `json:"developer_id"`
	}{u.ID, p.DeveloperID})
	return nil
}
