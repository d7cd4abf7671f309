package server

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/whatif"
)

// Bounds are the ranges within which a calibration may move the decay rate
// and multipliers besides the thresholds; a zero range leaves it as it is.
type Bounds struct {
	DecayMin, DecayMax float64
	Multipliers        map[string][2]float64 // type key → [min, max]
}

// Steps of the grid that a calibration lays over the bounds.
const (
	decayStep      = 0.05
	multiplierStep = 0.5
	// MaxScorings bounds how many scorings (decay rate and multipliers) one
	// calibration prepares: each scores the whole community again.
	MaxScorings = 48
)

// ParseBounds reads "--decay MIN:MAX" and "--multiplier TYPE=MIN:MAX" as
// the CLI and the API take them.
func ParseBounds(c *criteria.Criteria, decay string, multipliers []string) (Bounds, error) {
	var b Bounds
	if decay != "" {
		lo, hi, err := parseRange("decay", decay)
		if err != nil {
			return b, err
		}
		if lo < 0 || hi >= 1 {
			return b, cadre.Errorf(cadre.EINVALID, "decay: a rate in [0, 1), got %s", decay)
		}
		b.DecayMin, b.DecayMax = lo, hi
	}
	for _, m := range multipliers {
		key, r, ok := strings.Cut(m, "=")
		if !ok {
			return b, cadre.Errorf(cadre.EINVALID, "multiplier: TYPE=MIN:MAX, such as forum=1:3, got %q", m)
		}
		if err := c.CheckType(key); err != nil {
			return b, err
		}
		lo, hi, err := parseRange("multiplier "+key, r)
		if err != nil {
			return b, err
		}
		if lo <= 0 {
			return b, cadre.Errorf(cadre.EINVALID, "multiplier %s: above 0, got %s", key, r)
		}
		if b.Multipliers == nil {
			b.Multipliers = map[string][2]float64{}
		}
		b.Multipliers[key] = [2]float64{lo, hi}
	}
	return b, nil
}

func parseRange(what, s string) (float64, float64, error) {
	a, z, ok := strings.Cut(s, ":")
	lo, err1 := strconv.ParseFloat(a, 64)
	hi, err2 := strconv.ParseFloat(z, 64)
	if !ok || err1 != nil || err2 != nil || lo > hi {
		return 0, 0, cadre.Errorf(cadre.EINVALID, "%s: MIN:MAX with MIN ≤ MAX, such as 0.15:0.35, got %q", what, s)
	}
	return lo, hi, nil
}

// Scorings lays the grid over the bounds: every combination of a decay rate
// and of multipliers, the current criteria first, so that thresholds alone
// are tried too.
func (b Bounds) Scorings(cur *criteria.Criteria) ([]*criteria.Criteria, error) {
	out := []*criteria.Criteria{cur}
	grid := func(lo, hi, step float64) []float64 {
		var vs []float64
		for v := lo; v <= hi+1e-9; v += step {
			vs = append(vs, round2(v))
		}
		return vs
	}
	if b.DecayMax > 0 || b.DecayMin > 0 {
		var next []*criteria.Criteria
		for _, c := range out {
			next = append(next, c)
			for _, r := range grid(b.DecayMin, b.DecayMax, decayStep) {
				if r == c.Decay.Rate {
					continue
				}
				v := *c
				v.Decay.Rate = r
				next = append(next, &v)
			}
		}
		out = next
	}
	keys := make([]string, 0, len(b.Multipliers))
	for k := range b.Multipliers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		r := b.Multipliers[key]
		var next []*criteria.Criteria
		for _, c := range out {
			next = append(next, c)
			t, _ := c.Type(key)
			for _, m := range grid(r[0], r[1], multiplierStep) {
				if m == t.Multiplier {
					continue
				}
				v := *c
				v.ActivityTypes = slices.Clone(c.ActivityTypes)
				for i := range v.ActivityTypes {
					if v.ActivityTypes[i].Key == key {
						v.ActivityTypes[i].Multiplier = m
					}
				}
				next = append(next, &v)
			}
		}
		out = next
		if len(out) > MaxScorings {
			return nil, cadre.Errorf(cadre.EINVALID, "the bounds give more than %d scorings to try (decay by %.2f, multipliers by %.1f): narrow them", MaxScorings, decayStep, multiplierStep)
		}
	}
	if len(out) > MaxScorings {
		return nil, cadre.Errorf(cadre.EINVALID, "the bounds give %d scorings to try, more than %d: narrow them", len(out), MaxScorings)
	}
	return out, nil
}

func round2(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', 2, 64), 64)
	return v
}

// BandsJSON is the answer of a calibration to both bands.
type BandsJSON struct {
	From       string                 `json:"from"`
	To         string                 `json:"to"`
	Scorings   int                    `json:"scorings"`
	Searched   int                    `json:"searched"`
	Inside     bool                   `json:"inside"`
	Candidates []CalibrationCandidate `json:"candidates"`
}

// CalibrationCandidate is criteria found, with its band figures per quarter
// and the document to save.
type CalibrationCandidate struct {
	Achieve     float64              `json:"achieve"`
	Maintain    float64              `json:"maintain"`
	DecayRate   float64              `json:"decay_rate"`
	Multipliers map[string]float64   `json:"multipliers"`
	Distance    float64              `json:"distance"`
	Inside      bool                 `json:"inside"`
	Outside     int                  `json:"quarters_outside"`
	Quarters    []CalibrationQuarter `json:"quarters"`
	Document    string               `json:"document"`
}

// CalibrationQuarter is a candidate's figures of one quarter.
type CalibrationQuarter struct {
	Quarter       string   `json:"quarter"`
	Share         float64  `json:"share"`
	ShareInside   bool     `json:"share_inside"`
	RenewalRate   *float64 `json:"renewal_rate"`
	RenewalInside bool     `json:"renewal_inside"`
}

// CalibrateBands searches criteria that keep the qualifying share inside
// target_share and the renewal rate inside renewal_band in every quarter,
// with the least change from current: the thresholds for each scoring that
// the bounds allow, each scoring prepared once from the standings in
// memory. It answers the best top.
func CalibrateBands(ctx context.Context, st WhatIfStore, live *standings.Live, current *criteria.Criteria, b Bounds, quarters []program.Quarter, top int) (*BandsJSON, error) {
	scorings, err := b.Scorings(current)
	if err != nil {
		return nil, err
	}
	terms, excused, _, err := readReplay(ctx, st, quarters)
	if err != nil {
		return nil, err
	}
	members := periodMembers(quarters, terms)
	sp := whatif.Space{Current: current, Quarters: quarters, Terms: terms, Excused: excused}
	results := make([][]whatif.Candidate, len(scorings))
	err = live.ReadVersions(ctx, nil, func(_ map[int]*standings.Engine, prepare func(*criteria.Criteria) *standings.Engine) error {
		// Two scorings at a time, one a core: each holds an engine of its own.
		var wg sync.WaitGroup
		next := make(chan int)
		for range 2 {
			wg.Go(func() {
				for i := range next {
					eng := prepare(scorings[i])
					results[i] = whatif.CalibrateScoring(sp, scorings[i], whatif.MeasureScores(eng, scorings[i], quarters, members))
				}
			})
		}
		for i := range scorings {
			next <- i
		}
		close(next)
		wg.Wait()
		return nil
	})
	if err != nil {
		return nil, err
	}
	var all []whatif.Candidate
	for _, r := range results {
		all = append(all, r...)
	}
	j := &BandsJSON{From: quarters[0].String(), To: quarters[len(quarters)-1].String(), Scorings: len(scorings), Searched: len(all)}
	for _, c := range whatif.Best(all, top) {
		cj, err := newCalibrationCandidate(current, c)
		if err != nil {
			return nil, err
		}
		j.Candidates = append(j.Candidates, cj)
	}
	j.Inside = len(j.Candidates) > 0 && j.Candidates[0].Inside
	return j, nil
}

func newCalibrationCandidate(cur *criteria.Criteria, c whatif.Candidate) (CalibrationCandidate, error) {
	doc, err := c.Criteria.YAML()
	if err != nil {
		return CalibrationCandidate{}, fmt.Errorf("write criteria: %w", err)
	}
	cj := CalibrationCandidate{Achieve: c.Criteria.Thresholds.Achieve, Maintain: c.Criteria.Thresholds.Maintain, DecayRate: c.Criteria.Decay.Rate,
		Multipliers: map[string]float64{}, Distance: c.Distance, Inside: c.Outside == 0, Outside: c.Outside, Document: string(doc)}
	for _, t := range c.Criteria.ActivityTypes {
		if ct, ok := cur.Type(t.Key); !ok || ct.Multiplier != t.Multiplier {
			cj.Multipliers[t.Key] = t.Multiplier
		}
	}
	for _, q := range c.Quarters {
		cj.Quarters = append(cj.Quarters, CalibrationQuarter{Quarter: q.Quarter.String(), Share: q.Share, ShareInside: q.ShareInside,
			RenewalRate: q.RenewalRate, RenewalInside: q.RenewalInside})
	}
	return cj, nil
}
