package server

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cadrehq/cadre"
)

// maxPage bounds the page size a client may ask for.
const maxPage = 1000

// pageParams reads offset and limit, defaulting the limit to 50.
func pageParams(q url.Values) (offset, limit int, err error) {
	offset, limit = 0, 50
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, cadre.Errorf(cadre.EINVALID, "offset must be a non-negative integer, got %q", v)
		}
	}
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > maxPage {
			return 0, 0, cadre.Errorf(cadre.EINVALID, "limit must be between 1 and %d, got %q", maxPage, v)
		}
	}
	return offset, limit, nil
}

// timeParam reads an optional time (cadre.ParseTime); absent, it is the
// zero time.
func timeParam(q url.Values, name string) (time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := cadre.ParseTime(v)
	if err != nil {
		return time.Time{}, cadre.Errorf(cadre.EINVALID, "%s: %w", name, err)
	}
	return t, nil
}

// atParam reads the optional "at" time, defaulting to now.
func (s *Server) atParam(r *http.Request) (time.Time, error) {
	at, err := timeParam(r.URL.Query(), "at")
	if err == nil && at.IsZero() {
		at = s.now()
	}
	return at, err
}

// statusParam reads an optional member status.
func statusParam(q url.Values) (cadre.MemberStatus, error) {
	st := cadre.MemberStatus(q.Get("status"))
	if st != "" && !st.Valid() {
		return "", cadre.Errorf(cadre.EINVALID, "status must be member, ambassador or alumni, got %q", st)
	}
	return st, nil
}

// memberID reads the member ID of the path.
func memberID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, cadre.Errorf(cadre.EINVALID, "member id must be a number")
	}
	return id, nil
}
