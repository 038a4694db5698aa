package account

import (
	"net/http"
	"strconv"

	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// Blockchain addresses (the platform API's profile addresses,
// docs/platform.md): the owner lists them, adds one (checksum checked by
// identity.AddAddress) and removes one (identity.RemoveAddress).

type addressRow struct{ ID, Address, Chain, Name, Added string }

type addressesView struct {
	Addresses     []addressRow
	Address, Name string // the form being shown again
}

func (x *pages) addressesData(r *http.Request, pr identity.Principal) (addressesView, error) {
	list, err := x.p.Identity.Addresses(r.Context(), pr.User.ID)
	if err != nil {
		return addressesView{}, err
	}
	var v addressesView
	for _, a := range list {
		v.Addresses = append(v.Addresses, addressRow{ID: a.ID, Address: a.Address, Chain: a.Chain, Name: a.Name, Added: when(a.CreatedAt)})
	}
	return v, nil
}

func (x *pages) addresses(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	v, err := x.addressesData(r, pr)
	if err != nil {
		return err
	}
	x.render(w, r, "account_addresses", 0, nil, v)
	return nil
}

func (x *pages) addAddress(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	address, name := r.PostFormValue("address"), r.PostFormValue("address_name")
	if _, err := x.p.Identity.AddAddress(r.Context(), pr.User.ID, address, name); err != nil {
		errs, code, ok := x.formError(w, err, "address", map[string]string{"address": "address", "name": "address_name"})
		if !ok {
			return err
		}
		v, err := x.addressesData(r, pr)
		if err != nil {
			return err
		}
		v.Address, v.Name = address, name
		x.render(w, r, "account_addresses", code, errs, v)
		return nil
	}
	return done(w, r, "/account/addresses", "address")
}

// removeAddress detaches one of the owner's addresses; an id that is not
// theirs is a 404 (identity.RemoveAddress), whoever's it is.
func (x *pages) removeAddress(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	if err := x.p.Identity.RemoveAddress(r.Context(), pr.User.ID, r.PathValue("id")); err != nil {
		return err
	}
	return done(w, r, "/account/addresses", "address_removed")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
