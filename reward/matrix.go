package reward

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cadrehq/cadre"
)

// PainPoint is a problem of the ambassadors that rewards may answer, with
// how much it matters (SPEC 6: weight, default 1).
type PainPoint struct {
	ID     int64
	Name   string
	Weight float64
}

// DefaultWeight is a pain point's weight when none is given.
const DefaultWeight = 1

// maxWeight bounds a pain point's weight.
const maxWeight = 1e6

// CheckWeight says whether w can be a pain point's weight.
func CheckWeight(w float64) error {
	if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 || w > maxWeight {
		return cadre.Errorf(cadre.EINVALID, "a weight must be a number from 0 to %g", float64(maxWeight))
	}
	return nil
}

// CheckScore says whether v can be a cell of the matrix: 1 to 10, or 0 for
// an empty cell.
func CheckScore(v int) error {
	if v < 0 || v > MaxScore {
		return cadre.Errorf(cadre.EINVALID, "a score must be a whole number from 1 to %d, or empty, got %d", MaxScore, v)
	}
	return nil
}

// MaxScore is the highest score of a cell.
const MaxScore = 10

// Matrix scores each reward against each pain point (SPEC 6).
type Matrix struct {
	PainPoints []PainPoint
	Rows       []Row
}

// Row is a reward's line of the matrix: its scores in the order of the
// matrix's pain points, 0 for an empty cell.
type Row struct {
	RewardID int64
	Reward   string
	Kind     Kind
	Scores   []int
}

// Score returns the cell of reward row i and pain point j, 0 when empty.
func (m *Matrix) Score(i, j int) int {
	if j < len(m.Rows[i].Scores) {
		return m.Rows[i].Scores[j]
	}
	return 0
}

// Ranked is a reward with its value.
type Ranked struct {
	Reward string
	Kind   Kind
	Value  float64
}

// Value ranks the rewards by value(reward) = Σ weight(p) × score(reward, p)
// (SPEC 6), the most valuable first; ties are ordered by name.
func Value(m *Matrix) []Ranked {
	out := make([]Ranked, len(m.Rows))
	for i, r := range m.Rows {
		v := 0.0
		for j, p := range m.PainPoints {
			v += p.Weight * float64(m.Score(i, j))
		}
		out[i] = Ranked{Reward: r.Reward, Kind: r.Kind, Value: v}
	}
	slices.SortStableFunc(out, func(a, b Ranked) int {
		if c := cmp.Compare(b.Value, a.Value); c != 0 {
			return c
		}
		return strings.Compare(a.Reward, b.Reward)
	})
	return out
}

// MatrixImport says what storing a matrix file added.
type MatrixImport struct {
	Rewards, RewardsAdded, PainPointsAdded int
}

// WeightRow is the reward cell of the matrix file's row of weights.
const WeightRow = "weight"

// Bounds of a matrix file, far beyond a program's catalog.
const (
	maxRewards    = 1000
	maxPainPoints = 200
)

// ReadMatrix reads the matrix as program owners keep it in a spreadsheet:
// CSV with the header reward,kind,<pain point>,…; one reward a row; an
// optional row whose reward is "weight" holding the pain points' weights
// (a missing row or an empty cell is DefaultWeight); an empty cell scores
// 0. Errors name the file, line and column.
func ReadMatrix(r io.Reader, name string) (*Matrix, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, cadre.Errorf(cadre.EINVALID, "%s is empty: it needs the header reward,kind,<pain point>,…", name)
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\uFEFF") // a spreadsheet's byte order mark
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	if len(header) < 2 || !strings.EqualFold(header[0], "reward") || !strings.EqualFold(header[1], "kind") {
		return nil, cadre.Errorf(cadre.EINVALID, "%s:1: the header must begin reward,kind", name)
	}
	if len(header)-2 > maxPainPoints {
		return nil, cadre.Errorf(cadre.EINVALID, "%s:1: at most %d pain points", name, maxPainPoints)
	}
	m := &Matrix{PainPoints: make([]PainPoint, len(header)-2)}
	for j, h := range header[2:] {
		if err := CheckName("a pain point", h); err != nil {
			return nil, at(name, 1, j+3, err)
		}
		for _, p := range m.PainPoints[:j] {
			if strings.EqualFold(p.Name, h) {
				return nil, cadre.Errorf(cadre.EINVALID, "%s:1: column %d: pain point %q comes twice", name, j+3, h)
			}
		}
		m.PainPoints[j] = PainPoint{Name: h, Weight: DefaultWeight}
	}
	weights := false
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if strings.EqualFold(rec[0], WeightRow) {
			if weights {
				return nil, cadre.Errorf(cadre.EINVALID, "%s:%d: a second row of weights", name, line)
			}
			weights = true
			for j, c := range rec[2:] {
				if c == "" {
					continue
				}
				w, err := strconv.ParseFloat(c, 64)
				if err == nil {
					err = CheckWeight(w)
				} else {
					err = cadre.Errorf(cadre.EINVALID, "a weight must be a number, got %q", c)
				}
				if err != nil {
					return nil, at(name, line, j+3, err)
				}
				m.PainPoints[j].Weight = w
			}
			continue
		}
		if len(m.Rows) == maxRewards {
			return nil, cadre.Errorf(cadre.EINVALID, "%s:%d: at most %d rewards", name, line, maxRewards)
		}
		if err := CheckName("a reward", rec[0]); err != nil {
			return nil, at(name, line, 1, err)
		}
		for _, r := range m.Rows {
			if strings.EqualFold(r.Reward, rec[0]) {
				return nil, cadre.Errorf(cadre.EINVALID, "%s:%d: column 1: reward %q comes twice", name, line, rec[0])
			}
		}
		kind, err := ParseKind(rec[1])
		if err != nil {
			return nil, at(name, line, 2, err)
		}
		row := Row{Reward: rec[0], Kind: kind, Scores: make([]int, len(m.PainPoints))}
		for j, c := range rec[2:] {
			if c == "" {
				continue
			}
			v, err := strconv.Atoi(c)
			if err == nil {
				err = CheckScore(v)
			} else {
				err = cadre.Errorf(cadre.EINVALID, "a score must be a whole number from 1 to %d, or empty, got %q", MaxScore, c)
			}
			if err != nil {
				return nil, at(name, line, j+3, err)
			}
			row.Scores[j] = v
		}
		m.Rows = append(m.Rows, row)
	}
	return m, nil
}

// at places err at a line and column of the file.
func at(name string, line, col int, err error) error {
	return cadre.Errorf(cadre.EINVALID, "%s:%d: column %d: %s", name, line, col, cadre.ErrorMessage(err))
}

// csvError tells where the CSV itself is broken.
func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return cadre.Errorf(cadre.EINVALID, "%s:%d: column %d: %s", name, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("read %s: %w", name, err)
}

// WriteMatrix writes m in the form ReadMatrix reads, with its row of
// weights: reading it back gives m again.
func WriteMatrix(w io.Writer, m *Matrix) error {
	cw := csv.NewWriter(w)
	header := []string{"reward", "kind"}
	weights := []string{WeightRow, ""}
	for _, p := range m.PainPoints {
		header = append(header, p.Name)
		weights = append(weights, strconv.FormatFloat(p.Weight, 'f', -1, 64))
	}
	_ = cw.Write(header) // errors are kept by the writer and returned by Error
	_ = cw.Write(weights)
	for i, r := range m.Rows {
		rec := []string{r.Reward, string(r.Kind)}
		for j := range m.PainPoints {
			c := ""
			if v := m.Score(i, j); v != 0 {
				c = strconv.Itoa(v)
			}
			rec = append(rec, c)
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write the matrix: %w", err)
	}
	return nil
}
