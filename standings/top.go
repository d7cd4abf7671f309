package standings

import (
	"container/heap"
	"slices"
)

// top keeps the best n of the members offered to it, n = 0 meaning all, so
// that a top 100 of a million members needs no sort of the million.
type top struct {
	n      int
	better func(i, j int32) int // < 0 when i ranks before j
	items  []int32              // a heap with the worst kept member first, when n > 0
}

func newTop(n int, better func(i, j int32) int) *top {
	return &top{n: n, better: better}
}

func (t *top) Len() int           { return len(t.items) }
func (t *top) Less(a, b int) bool { return t.better(t.items[a], t.items[b]) > 0 }
func (t *top) Swap(a, b int)      { t.items[a], t.items[b] = t.items[b], t.items[a] }
func (t *top) Push(x any)         { t.items = append(t.items, x.(int32)) }
func (t *top) Pop() any {
	x := t.items[len(t.items)-1]
	t.items = t.items[:len(t.items)-1]
	return x
}

// offer considers member i.
func (t *top) offer(i int32) {
	switch {
	case t.n <= 0:
		t.items = append(t.items, i)
	case len(t.items) < t.n:
		heap.Push(t, i)
	case t.better(i, t.items[0]) < 0:
		t.items[0] = i
		heap.Fix(t, 0)
	}
}

// sorted returns the kept members, best first.
func (t *top) sorted() []int32 {
	slices.SortFunc(t.items, t.better)
	return t.items
}
