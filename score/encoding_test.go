package score

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
)

// historyView is what a History holds, in an order that does not depend on
// the order activities were added in.
type historyView struct {
	members  int
	excluded []int32
	kinds    []string
	acts     []viewedActivity
}

type viewedActivity struct {
	member int32
	kind   string
	at     int64
}

func viewOf(h *History) historyView {
	v := historyView{members: h.members, kinds: h.kinds}
	for m, x := range h.excluded {
		if x {
			v.excluded = append(v.excluded, int32(m))
		}
	}
	for i := range h.at {
		v.acts = append(v.acts, viewedActivity{h.member[i], h.kinds[h.kind[i]], h.at[i]})
	}
	slices.SortFunc(v.acts, func(a, b viewedActivity) int {
		return cmp.Or(cmp.Compare(a.member, b.member), cmp.Compare(a.at, b.at), strings.Compare(a.kind, b.kind))
	})
	return v
}

func sameHistory(a, b *History) bool {
	va, vb := viewOf(a), viewOf(b)
	return va.members == vb.members && slices.Equal(va.excluded, vb.excluded) && slices.Equal(va.kinds, vb.kinds) && slices.Equal(va.acts, vb.acts) &&
		len(a.kindOf) == len(b.kindOf)
}

// encodedHistories returns histories that exercise each part of the encoding.
func encodedHistories(tb testing.TB) map[string]*History {
	tb.Helper()
	build := func(evs []Event, excluded ...int32) *History {
		h := &History{}
		for _, ev := range evs {
			if ev.Status == "" {
				ev.Status = cadre.ActivityApproved
			}
			if err := h.Add(ev); err != nil {
				tb.Fatal(err)
			}
		}
		for _, m := range excluded {
			if err := h.SetExcluded(m, true); err != nil {
				tb.Fatal(err)
			}
		}
		return h
	}
	at := time.Date(2025, 3, 1, 12, 30, 0, 0, time.UTC)
	manyKinds := make([]Event, 300)
	for i := range manyKinds {
		manyKinds[i] = Event{Member: int32(i % 7), Type: string(rune('a'+i%26)) + string(rune('a'+i/26)), At: at.Add(time.Duration(i) * time.Second)}
	}
	r := rand.New(rand.NewPCG(5, 6))
	var random []Event
	for range 300 {
		random = append(random, Event{Member: int32(r.IntN(40)), Type: []string{"forum", "code", "content"}[r.IntN(3)], At: time.UnixMicro(at.UnixMicro() - r.Int64N(1e14))})
	}
	removed := build([]Event{{Member: 0, Type: "forum", At: at}, {Member: 1, Type: "content", At: at}})
	removed.Remove(Event{Member: 1, Type: "content", At: at})
	return map[string]*History{
		"empty":   {},
		"members": build([]Event{{Member: 4, Type: "forum", At: at, Status: cadre.ActivityPending}}, 2, 9),
		"small": build([]Event{
			{Member: 3, Type: "forum", At: at.Add(time.Hour)},
			{Member: 3, Type: "forum", At: at},
			{Member: 0, Type: "content", At: at},
			{Member: 3, Type: "content", At: at},
			{Member: 3, Type: "forum", At: at},
			{Member: 5, Type: "code", At: at.Add(-time.Microsecond)},
		}, 0, 8, 15, 16),
		"whole seconds":    build([]Event{{Member: 0, Type: "forum", At: at}, {Member: 1, Type: "forum", At: at.Add(97 * time.Second)}, {Member: 1, Type: "code", At: at.Add(-time.Hour)}}),
		"one activity":     build([]Event{{Member: 2, Type: "", At: at}}),
		"before 1970":      build([]Event{{Member: 0, Type: "forum", At: time.Date(1900, 1, 1, 0, 0, 0, 1000, time.UTC)}, {Member: 0, Type: "forum", At: at}}),
		"extreme times":    build([]Event{{Member: 1, Type: "forum", At: time.UnixMicro(math.MinInt64)}, {Member: 1, Type: "code", At: time.UnixMicro(math.MaxInt64)}, {Member: 0, Type: "x", At: time.UnixMicro(0)}}),
		"many types":       build(manyKinds, 3),
		"random":           build(random, 7, 150),
		"unused type left": removed,
	}
}

func TestHistoryRoundTrip(t *testing.T) {
	c := criteria.Default()
	for name, h := range encodedHistories(t) {
		t.Run(name, func(t *testing.T) {
			data, err := h.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			// Decoding replaces whatever the History held.
			got := encodedHistories(t)["small"]
			if err := got.UnmarshalBinary(data); err != nil {
				t.Fatal(err)
			}
			if !sameHistory(got, h) {
				t.Fatalf("decoded %+v, want %+v", viewOf(got), viewOf(h))
			}
			// The encoding depends on what a History holds, not on its order.
			if again, err := got.MarshalBinary(); err != nil || !bytes.Equal(again, data) {
				t.Errorf("encoded again into other bytes (%v)", err)
			}
			if !scorable(got) {
				return
			}
			// The decoded History goes on as any other.
			at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			if err := got.Add(Event{Member: 1, Type: "forum", At: at, Status: cadre.ActivityApproved}); err != nil {
				t.Fatal(err)
			}
			if a, b := New(c, got).Score(1, at), New(c, h).Score(1, at); !near(a, b+1) {
				t.Errorf("score after decoding and adding a forum post %v, want %v", a, b+1)
			}
		})
	}
}

func TestHistoryMarshalSize(t *testing.T) {
	tests := []struct {
		name string
		unit time.Duration
		max  float64 // bytes per activity
	}{
		{"seconds", time.Second, 4.5},
		{"microseconds", time.Microsecond, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := powerLawHistory(t, 2000, 50000)
			for i := range h.at {
				h.at[i] -= h.at[i] % tt.unit.Microseconds()
			}
			data, err := h.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if per := float64(len(data)) / float64(h.Len()); per > tt.max {
				t.Errorf("%.2f bytes per activity, want at most %v", per, tt.max)
			}
		})
	}
}

// scorable reports whether h is quick to score. A valid History may name
// members by the billion, and times a hundred thousand years apart, whose
// quarters take long to tabulate.
func scorable(h *History) bool {
	years := func(y int) int64 { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro() }
	return h.Members() <= 1<<16 && (h.Len() == 0 || slices.Min(h.at) >= years(1) && slices.Max(h.at) < years(10000))
}

// encode joins uvarints (given as ints) and raw bytes (given as strings).
func encode(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch p := p.(type) {
		case int:
			b = binary.AppendUvarint(b, uint64(p))
		case uint64:
			b = binary.AppendUvarint(b, p)
		case string:
			b = append(b, p...)
		}
	}
	return b
}

func TestHistoryUnmarshalErrors(t *testing.T) {
	// A header of 3 members, the types "a", "b" and "c", member 1 excluded.
	head := []any{historyMagic, "\x01", 3, 3, 1, "a", 1, "b", 1, "c", 1, "\x02"}
	with := func(parts ...any) []byte { return encode(append(slices.Clone(head), parts...)...) }
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not an encoded history"},
		{"other data", []byte("PK\x03\x04 zip"), "not an encoded history"},
		{"later version", encode(historyMagic, "\x02", 0, 0, 0, 0), "unknown version 2"},
		{"truncated member count", encode(historyMagic, "\x01", "\x80"), "truncated member count"},
		{"member count beyond 64 bits", encode(historyMagic, "\x01", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"), "member count beyond 64 bits"},
		{"member count too high", encode(historyMagic, "\x01", math.MaxInt32+2, 0, 0, 0), "member count 2147483649"},
		{"type key count too high", encode(historyMagic, "\x01", 3, 100, 1, "a"), "type key count 100"},
		{"type key beyond the end", encode(historyMagic, "\x01", 3, 1, 50, "forum"), "type key 0: type key of 50 bytes beyond the end"},
		{"type key twice", encode(historyMagic, "\x01", 3, 2, 1, "a", 1, "a", 0, 0), `type key "a" twice`},
		{"bitmap beyond the end", encode(historyMagic, "\x01", 3, 0, 5, "\x01"), "excluded bitmap of 5 bytes beyond the end"},
		{"excluded beyond members", encode(historyMagic, "\x01", 3, 0, 1, "\x08", 0), "excluded member 3 beyond member count 3"},
		{"bitmap ending in zero", encode(historyMagic, "\x01", 3, 0, 2, "\x01\x00", 0), "ends in a zero byte"},
		{"no activity count", with(), "truncated activity count"},
		{"more activities than bytes", with(1000000, 0, 1, "\x01"), "1000000 activities cannot fit in 3 bytes"},
		{"huge activity count", with(uint64(math.MaxUint64), 0), "activities cannot fit"},
		{"activities without types", encode(historyMagic, "\x01", 3, 0, 0, 1, 0, 1, "\x01", 0, 1, 0), "without any type key"},
		{"time unit 0", with(1, 0, 0, "\x01", 0, 1, 0), "time unit 0"},
		{"unknown packing", with(1, 0, 1, "\x07", 0, 1, 0), "packing 7"},
		{"truncated packing", with(1, 0, 1), "truncated packing"},
		{"member beyond count", with(1, 0, 1, "\x01", 3, 1, 0), "activity 0: member beyond member count 3"},
		{"second member beyond count", with(2, 0, 1, "\x01", 1, 1, 0, 1, 1, 0), "activity 1: member beyond member count 3"},
		{"no activities for a member", with(1, 0, 1, "\x01", 0, 0, 0), "0 activities for a member"},
		{"more activities for a member than in all", with(2, 0, 1, "\x01", 0, 3, 0, 0, 0), "3 activities for a member, want 1 to 2"},
		{"type beyond the keys", with(1, 0, 1, "\x01", 0, 1, 3), "activity 0: type 3 beyond 3 type keys"},
		{"unpacked type beyond the keys", with(1, 0, 1, "\x00", 0, 1, 0, 3), "activity 0: type 3 beyond 3 type keys"},
		{"truncated time", with(2, 0, 1, "\x01", 0, 2, 0, "\x80"), "activity 1: truncated time"},
		{"time beyond int64", with(2, string(binary.AppendVarint(nil, 1)), 1, "\x00", 0, 2, 0, 0, uint64(math.MaxInt64), 0), "activity 1: time beyond the range"},
		{"time times unit beyond 64 bits", with(1, 0, 1<<40, "\x01", 0, 1, 1<<30), "activity 0: time beyond the range"},
		{"time sum beyond int64", with(2, string(binary.AppendVarint(nil, math.MaxInt64-5)), 1, "\x00", 0, 2, 3, 0, 3, 0), "activity 1: time beyond the range"},
		{"bytes after the end", with(1, 0, 1, "\x01", 0, 1, 0, "\x00"), "1 bytes after the end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := encodedHistories(t)["small"]
			before := viewOf(h)
			err := h.UnmarshalBinary(tt.data)
			if cadre.ErrorCode(err) != cadre.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want an invalid error saying %q", err, tt.want)
			}
			if after := viewOf(h); !slices.Equal(after.acts, before.acts) || after.members != before.members {
				t.Error("a failed decoding changed the history")
			}
		})
	}
	// Every cut of a valid encoding is an error.
	for name, h := range encodedHistories(t) {
		data, err := h.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		for n := range len(data) {
			var got History
			if err := got.UnmarshalBinary(data[:n]); err == nil {
				t.Fatalf("%s cut to %d of %d bytes: decoded", name, n, len(data))
			}
		}
	}
}

func FuzzHistoryUnmarshal(f *testing.F) {
	for _, h := range encodedHistories(f) {
		data, err := h.MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	c := criteria.Default()
	f.Fuzz(func(t *testing.T, data []byte) {
		var h History
		if err := h.UnmarshalBinary(data); err != nil {
			if cadre.ErrorCode(err) != cadre.EINVALID {
				t.Fatalf("error %v, want an invalid error", err)
			}
			return
		}
		again, err := h.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back History
		if err := back.UnmarshalBinary(again); err != nil {
			t.Fatalf("decoding what was encoded again: %v", err)
		}
		if !sameHistory(&h, &back) {
			t.Fatalf("encoded again and decoded %+v, want %+v", viewOf(&back), viewOf(&h))
		}
		if scorable(&h) {
			var b Board
			New(c, &h).Evaluate(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), &b)
		}
	})
}
