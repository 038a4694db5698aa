package admin

import "net/url"

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

// paging reads ?limit= (default 50) and ?offset= (default 0).
func paging(q url.Values) (limit, offset int, err error) {
	if limit, err = intParam(q.Get("limit"), 50); err != nil {
		return 0, 0, err
	}
	offset, err = intParam(q.Get("offset"), 0)
	return limit, offset, err
}
