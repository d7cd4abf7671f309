// Package program holds the rules of running an ambassador program (SPEC
// sections 5 and 6): quarters and their review instant, terms and the status
// they give, the quarterly renewal review, and the health figures of a
// quarter. It is pure: the store keeps terms and reviews, the scores come
// from the scoring engine, and the clock is passed in.
package program

import (
	"fmt"
	"strconv"
	"time"

	"github.com/cadrehq/cadre"
)

// Quarter is a calendar quarter, written 2026Q1.
type Quarter struct {
	Year int
	Q    int // 1 to 4
}

// ParseQuarter reads a quarter such as 2026Q1.
func ParseQuarter(s string) (Quarter, error) {
	bad := cadre.Errorf(cadre.EINVALID, "a quarter is written like 2026Q1, got %s", cadre.Quote(s))
	if len(s) != 6 || s[4] != 'Q' && s[4] != 'q' {
		return Quarter{}, bad
	}
	y, err := strconv.Atoi(s[:4])
	if err != nil || y < 1970 || y > 2099 {
		return Quarter{}, bad
	}
	q := int(s[5] - '0')
	if q < 1 || q > 4 {
		return Quarter{}, bad
	}
	return Quarter{Year: y, Q: q}, nil
}

// QuarterOf returns the quarter holding t in loc.
func QuarterOf(t time.Time, loc *time.Location) Quarter {
	t = t.In(loc)
	return Quarter{Year: t.Year(), Q: (int(t.Month())-1)/3 + 1}
}

func (q Quarter) String() string { return fmt.Sprintf("%dQ%d", q.Year, q.Q) }

// Start is the quarter's first instant in loc.
func (q Quarter) Start(loc *time.Location) time.Time {
	return time.Date(q.Year, time.Month(3*(q.Q-1)+1), 1, 0, 0, 0, 0, loc)
}

// Next is the quarter after q.
func (q Quarter) Next() Quarter {
	if q.Q == 4 {
		return Quarter{Year: q.Year + 1, Q: 1}
	}
	return Quarter{Year: q.Year, Q: q.Q + 1}
}

// Prev is the quarter before q.
func (q Quarter) Prev() Quarter {
	if q.Q == 1 {
		return Quarter{Year: q.Year - 1, Q: 4}
	}
	return Quarter{Year: q.Year, Q: q.Q - 1}
}

// End is the first instant after the quarter: the next quarter's start.
func (q Quarter) End(loc *time.Location) time.Time { return q.Next().Start(loc) }

// ReviewAt is the instant the quarter is reviewed at (SPEC section 5): its
// last microsecond, where its own points count in full and the decay of the
// next boundary has not happened yet.
func (q Quarter) ReviewAt(loc *time.Location) time.Time { return q.End(loc).Add(-time.Microsecond) }

// Before reports whether q comes before o.
func (q Quarter) Before(o Quarter) bool {
	return q.Year < o.Year || q.Year == o.Year && q.Q < o.Q
}

// NextReview is the review instant of the quarter holding t: what
// projections, at-risk lists and the portal call "the next review".
func NextReview(t time.Time, loc *time.Location) time.Time { return QuarterOf(t, loc).ReviewAt(loc) }
