package standings

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestTopKeepsTheBest(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	scores := make([]int, 1000)
	for i := range scores {
		scores[i] = r.IntN(50) // many ties
	}
	better := func(i, j int32) int {
		if c := cmp.Compare(scores[j], scores[i]); c != 0 {
			return c
		}
		return cmp.Compare(i, j)
	}
	all := make([]int32, len(scores))
	for i := range all {
		all[i] = int32(i)
	}
	slices.SortFunc(all, better)
	for _, n := range []int{0, 1, 7, 100, 999, 1000, 5000} {
		tp := newTop(n, better)
		for _, i := range r.Perm(len(scores)) {
			tp.offer(int32(i))
		}
		want := all
		if n > 0 && n < len(all) {
			want = all[:n]
		}
		if got := tp.sorted(); !slices.Equal(got, want) {
			t.Errorf("top %d differs from the first %d of a full sort", n, len(want))
		}
	}
}
