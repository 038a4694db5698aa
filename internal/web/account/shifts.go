package account

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// The shift history (cashdesk.ShiftsOf): the owner's shifts on the cash
// registers, open and closed, newest first, a page at a time. Shifts are
// opened and closed by the till's software at the cashdesk door; the
// cabinet only shows them.

// shiftsPage is how many shifts a page shows.
const shiftsPage = 20

type shiftRow struct{ FiscalNumber, Register, Opened, Closed string }

type shiftsView struct {
	Shifts             []shiftRow
	From, To, Total    int
	PrevPath, NextPath string // "" on the first and last page
}

func (x *pages) shifts(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	ctx := r.Context()
	off, err := strconv.Atoi(r.URL.Query().Get("offset"))
	if err != nil || off < 0 {
		off = 0 // a paging link is never worth an error page
	}
	list, total, err := x.cash.ShiftsOf(ctx, pr.User.ID, shiftsPage, off)
	if err != nil {
		return err
	}
	// A shift may be on a register since withdrawn from the owner: the
	// names come from every register, not only the owner's.
	regs, err := x.cash.Registers(ctx)
	if err != nil {
		return err
	}
	names := make(map[int64][2]string, len(regs))
	for _, g := range regs {
		names[g.ID] = [2]string{g.FiscalNumber, g.Name}
	}
	v := shiftsView{Total: total}
	for _, sh := range list {
		n := names[sh.RegisterID]
		v.Shifts = append(v.Shifts, shiftRow{FiscalNumber: n[0], Register: n[1], Opened: when(sh.OpenedAt), Closed: whenPtr(sh.ClosedAt)})
	}
	if len(list) > 0 {
		v.From, v.To = off+1, off+len(list)
	}
	if off > 0 {
		v.PrevPath = shiftsAt(max(off-shiftsPage, 0))
	}
	if off+len(list) < total {
		v.NextPath = shiftsAt(off + shiftsPage)
	}
	x.render(w, r, "account_shifts", 0, nil, v)
	return nil
}

func shiftsAt(off int) string {
	return "/account/shifts?" + url.Values{"offset": {strconv.Itoa(off)}}.Encode()
}
