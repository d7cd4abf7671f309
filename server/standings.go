package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/standings"
)

// rankings keeps the scoring engine of the criteria in force and reloads it
// when the store's change mark moves, so that requests between changes share
// one load, and another instance's changes are seen on the next request.
type rankings struct {
	mu   sync.Mutex
	mark string
	eng  *standings.Engine
}

func (s *Server) standings(ctx context.Context) (*standings.Engine, error) {
	mark, err := s.store.ChangeMark(ctx)
	if err != nil {
		return nil, err
	}
	s.rank.mu.Lock()
	defer s.rank.mu.Unlock()
	if s.rank.eng != nil && s.rank.mark == mark {
		return s.rank.eng, nil
	}
	c, err := standings.Criteria(ctx, s.store, 0)
	if err != nil {
		return nil, err
	}
	snap, err := standings.Load(ctx, s.store)
	if err != nil {
		return nil, err
	}
	s.rank.eng, s.rank.mark = snap.Engine(c), mark
	return s.rank.eng, nil
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
		eng, err := s.standings(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, eng.Leaderboard(at, opt))
	})
}

func (s *Server) handleShare() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at, err := s.atParam(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		eng, err := s.standings(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, eng.Share(at))
	})
}

// calibrateRequest is the body of POST /api/v1/criteria/calibrate.
type calibrateRequest struct {
	Target *float64   `json:"target"`
	At     *time.Time `json:"at"`
}

type calibrateResponse struct {
	At         time.Time `json:"at"`
	Target     float64   `json:"target"`
	Threshold  float64   `json:"threshold"`
	Active     int       `json:"active"`
	Qualifying int       `json:"qualifying"`
	Share      float64   `json:"share"`
}

func (s *Server) handleCalibrate() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req calibrateRequest
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			s.fail(w, r, cadre.Errorf(cadre.EINVALID, "body must be JSON like {\"target\": 0.03, \"at\": \"2025-06-30T00:00:00Z\"}: %v", err))
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
		eng, err := s.standings(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		cal, err := eng.Calibrate(*req.Target, at)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, calibrateResponse{At: at, Target: cal.Target, Threshold: cal.Threshold,
			Active: cal.Active, Qualifying: cal.Qualifying, Share: cal.Share})
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
		eng, err := s.standings(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		ms, err := eng.Member(id, at)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, ms)
	})
}
