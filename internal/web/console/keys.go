package console

import (
	"net/http"

	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/web"
)

// Key rotation, in two steps: the keys page's form asks what kind of
// rotation (GET, changes nothing), a confirmation page says what it will
// do and carries the POST that does it. A rotation is rare and an
// immediate one signs every user out of every door, so one click must
// never do it.

func (c *Console) mountKeys(h func(string, handler)) {
	h("GET /admin/keys", c.keys)
	h("GET /admin/keys/confirm", c.confirmRotation)
	h("POST /admin/keys/rotate", c.rotate)
}

type keysView struct {
	Immediate bool
	Rotated   *RotatedKey
}

func (c *Console) keys(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	p.Render(w, r, web.Page{Name: "admin_keys", Data: keysView{}})
	return nil
}

// confirmRotation is the confirmation step: nothing changes until its
// form is sent.
func (c *Console) confirmRotation(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	p.Render(w, r, web.Page{Name: "admin_keys_confirm", Data: keysView{Immediate: r.URL.Query().Get("immediate") == "on"}})
	return nil
}

// rotate makes the new signing key (published now and signing after the
// publication lead; "immediate": signing now, the old keys unpublished)
// and shows it.
func (c *Console) rotate(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	immediate := r.PostFormValue("immediate") == "on"
	k, err := c.RotateKeys(r.Context(), immediate)
	if err != nil {
		return err
	}
	p.Render(w, r, web.Page{Name: "admin_keys", Data: keysView{Rotated: &k}, Notice: "admin.done.rotated"})
	return nil
}
