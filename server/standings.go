package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/score"
	"github.com/cadrehq/cadre/standings"
)

// readStandings calls fn with the engine of the criteria version the
// request names in its "criteria" parameter (default the one in force),
// current with the store: a change made through another instance shows on
// the next request.
// boardTime is the instant the pages rank everyone at: now to the minute,
// so that the pages asked for within a minute share one board of the whole
// community (50 ms to compute at a million members) rather than each
// computing its own. A rank a minute old is what a leaderboard "as of
// today" shows anyway.
func (s *Server) boardTime() time.Time { return s.now().Truncate(time.Minute) }

func (s *Server) readStandings(r *http.Request, fn func(*standings.Engine) error) error {
	version := 0
	if v := r.URL.Query().Get("criteria"); v != "" {
		var err error
		if version, err = strconv.Atoi(v); err != nil || version < 1 {
			return cadre.Errorf(cadre.EINVALID, "criteria must be a stored criteria version (1, 2, …), got %q", v)
		}
	}
	return s.live.Read(r.Context(), version, fn)
}

func (s *Server) handleLeaderboard() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		at, err := s.atParam(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		opt := standings.Options{Top: 100, Type: q.Get("type")}
		if opt.Status, err = statusParam(q); err == nil {
			if opt.Since, err = timeParam(q, "since"); err == nil {
				opt.Until, err = timeParam(q, "until")
			}
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if v := q.Get("top"); v != "" {
			if opt.Top, err = strconv.Atoi(v); err != nil || opt.Top < 0 {
				s.fail(w, r, cadre.Errorf(cadre.EINVALID, "top must be a non-negative integer (0 for everyone), got %q", v))
				return
			}
		}
		var entries []standings.Entry
		err = s.readStandings(r, func(eng *standings.Engine) error {
			if opt.Type != "" {
				if err := eng.Criteria().CheckType(opt.Type); err != nil {
					return err
				}
			}
			entries = eng.Leaderboard(at, opt)
			return nil
		})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeJSON(w, http.StatusOK, NewLeaderboardJSON(entries))
	})
}

func (s *Server) handleShare() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at, err := s.atParam(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var share standings.Share
		err = s.readStandings(r, func(eng *standings.Engine) error {
			share = eng.Share(at)
			return nil
		})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeJSON(w, http.StatusOK, NewShareJSON(share))
	})
}

// calibrateRequest is the body of POST /api/v1/criteria/calibrate.
type calibrateRequest struct {
	Target *float64   `json:"target"`
	At     *time.Time `json:"at"`
}

func (s *Server) handleCalibrate() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req calibrateRequest
		if err := decodeBody(w, r, &req, `{"target": 0.03, "at": "2025-06-30T00:00:00Z"}`); err != nil {
			s.fail(w, r, err)
			return
		}
		if req.Target == nil || *req.Target < 0 || *req.Target > 1 {
			s.fail(w, r, cadre.Errorf(cadre.EINVALID, "target must be a share between 0 and 1, such as 0.03"))
			return
		}
		at := s.now()
		if req.At != nil {
			at = *req.At
		}
		var cal score.Calibration
		err := s.readStandings(r, func(eng *standings.Engine) (err error) {
			cal, err = eng.Calibrate(*req.Target, at)
			return err
		})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeJSON(w, http.StatusOK, NewCalibrationJSON(at, cal))
	})
}

func (s *Server) handleMemberScore() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := memberID(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		at, err := s.atParam(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var ms *standings.MemberScore
		err = s.readStandings(r, func(eng *standings.Engine) (err error) {
			ms, err = eng.Member(id, at)
			return err
		})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeJSON(w, http.StatusOK, NewMemberScoreJSON(ms))
	})
}
