package admin

import (
	"net/url"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Views converts a list of core values for the wire with view (shared by
// the admin API and the CLI). The result is never nil, so an empty list
// encodes as [] rather than null.
func Views[T, V any](xs []T, view func(T) V) []V {
	out := make([]V, 0, len(xs))
	for _, x := range xs {
		out = append(out, view(x))
	}
	return out
}

// paging reads ?limit= (1–500, default 50 when absent) and ?offset=
// (default 0). limit=0 and limits over 500 are refused (400
// invalid_paging) rather than replaced, so that the limit an answer
// reports is always the one it applied.
func paging(q url.Values) (limit, offset int, err error) {
	if limit, err = intParam(q.Get("limit"), 50); err != nil {
		return 0, 0, err
	}
	if limit < 1 || limit > maxLimit {
		return 0, 0, core.Invalid("invalid_paging", "limit", "limit must be 1–500")
	}
	offset, err = intParam(q.Get("offset"), 0)
	return limit, offset, err
}

// maxLimit is the largest page the admin API answers.
const maxLimit = 500
