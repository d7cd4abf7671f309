package score

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/cadrehq/cadre"
)

// The binary encoding of a History, version 1. Numbers are uvarints unless
// said otherwise.
//
//	"CDRH" 0x01
//	member count
//	number of type keys, then each key: its length, its bytes
//	length of the excluded bitmap, then its bytes (member m is bit m%8 of byte m/8)
//	number of activities; when there are some:
//	  base: a time no later than any, Unix microseconds as a zigzag varint
//	  unit: microseconds dividing the distance of every time from base
//	  packed: one byte, 1 when each time carries its kind in its low bits
//	  groups, one for each member with activity, ascending:
//	    member − previous member − 1 (the member itself for the first group)
//	    count ≥ 1, then count activities, oldest first, each:
//	      t: (at − base) / unit for the first, (at − previous at) / unit after;
//	      when packed, t << kindBits | kind, kindBits being enough bits for
//	      the highest kind; otherwise t, then kind
//
// Times are delta-coded within members in units as coarse as the data allow
// (whole seconds from most platforms), and kinds take a few bits beside them.
const (
	historyMagic   = "CDRH"
	historyVersion = 1
)

// MarshalBinary encodes h for UnmarshalBinary, in a compact versioned form.
func (h *History) MarshalBinary() ([]byte, error) {
	n := len(h.at)
	buf := make([]byte, 0, 64+6*n+h.members/8)
	buf = append(buf, historyMagic...)
	buf = append(buf, historyVersion)
	buf = binary.AppendUvarint(buf, uint64(h.members))
	buf = binary.AppendUvarint(buf, uint64(len(h.kinds)))
	for _, key := range h.kinds {
		buf = binary.AppendUvarint(buf, uint64(len(key)))
		buf = append(buf, key...)
	}
	bitmap := make([]byte, (lastExcluded(h.excluded)+8)/8)
	for m, x := range h.excluded {
		if x {
			bitmap[m/8] |= 1 << (m % 8)
		}
	}
	buf = binary.AppendUvarint(buf, uint64(len(bitmap)))
	buf = append(buf, bitmap...)
	buf = binary.AppendUvarint(buf, uint64(n))
	if n == 0 {
		return buf, nil
	}

	base, latest := slices.Min(h.at), slices.Max(h.at)
	var unit uint64 // the greatest common divisor of the distances from base
	for _, at := range h.at {
		if unit == 1 {
			break
		}
		if d := uint64(at) - uint64(base); unit == 0 || d%unit != 0 {
			unit = gcd(unit, d)
		}
	}
	unit = max(unit, 1)
	kindBits := bits.Len(uint(len(h.kinds) - 1))
	packed := bits.Len64((uint64(latest)-uint64(base))/unit)+kindBits <= 64
	buf = binary.AppendVarint(buf, base)
	buf = binary.AppendUvarint(buf, unit)
	if packed {
		buf = append(buf, 1)
	} else {
		buf = append(buf, 0)
	}

	acts := h.sorted()
	prev, last := int32(-1), base
	for i, a := range acts {
		if a.member != prev {
			count := 1 // the activities of a.member
			for i+count < n && acts[i+count].member == a.member {
				count++
			}
			buf = binary.AppendUvarint(buf, uint64(a.member-prev-1))
			buf = binary.AppendUvarint(buf, uint64(count))
			prev, last = a.member, base
		}
		t := (uint64(a.at) - uint64(last)) / unit
		last = a.at
		if packed {
			buf = binary.AppendUvarint(buf, t<<kindBits|uint64(a.kind))
		} else {
			buf = binary.AppendUvarint(buf, t)
			buf = binary.AppendUvarint(buf, uint64(a.kind))
		}
	}
	return buf, nil
}

// lastExcluded returns the highest index marked in excluded, or -1.
func lastExcluded(excluded []bool) int {
	for m := len(excluded) - 1; m >= 0; m-- {
		if excluded[m] {
			return m
		}
	}
	return -1
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// memberActivity is an activity as a row.
type memberActivity struct {
	at     int64
	member int32
	kind   uint16
}

// sorted returns the activities of h ordered by member, time and kind.
func (h *History) sorted() []memberActivity {
	byTime := func(a, b memberActivity) int {
		if a.at != b.at {
			return cmp.Compare(a.at, b.at)
		}
		return cmp.Compare(a.kind, b.kind)
	}
	acts := make([]memberActivity, len(h.at))
	if h.members > len(h.at) {
		// Few members have activity: sort the rows outright rather than
		// count through every member.
		for i := range acts {
			acts[i] = memberActivity{h.at[i], h.member[i], h.kind[i]}
		}
		slices.SortFunc(acts, func(a, b memberActivity) int {
			if a.member != b.member {
				return cmp.Compare(a.member, b.member)
			}
			return byTime(a, b)
		})
		return acts
	}
	// Lay the members out by a counting sort, stable and linear, then put
	// each member's activities in order, which those read from the store in
	// time order are already.
	off := make([]int, h.members+1)
	for _, m := range h.member {
		off[m+1]++
	}
	for m := range h.members {
		off[m+1] += off[m]
	}
	next := slices.Clone(off[:h.members])
	for i, m := range h.member {
		acts[next[m]] = memberActivity{h.at[i], m, h.kind[i]}
		next[m]++
	}
	for m := range h.members {
		if group := acts[off[m]:off[m+1]]; !slices.IsSortedFunc(group, byTime) {
			slices.SortFunc(group, byTime)
		}
	}
	return acts
}

// UnmarshalBinary replaces the contents of h with those MarshalBinary
// encoded in data. The activities come back grouped by member and in time
// order. Data that is truncated or corrupt is an invalid error saying what is
// wrong, and leaves h as it was.
func (h *History) UnmarshalBinary(data []byte) error {
	var out History
	if err := out.decode(data); err != nil {
		return fmt.Errorf("decode history: %w", err)
	}
	*h = out
	return nil
}

// decode reads data into the empty History h.
func (h *History) decode(data []byte) error {
	if len(data) < len(historyMagic)+1 || string(data[:len(historyMagic)]) != historyMagic {
		return cadre.Errorf(cadre.EINVALID, "not an encoded history")
	}
	if v := data[len(historyMagic)]; v != historyVersion {
		return cadre.Errorf(cadre.EINVALID, "unknown version %d", v)
	}
	d := decoder{data: data, off: len(historyMagic) + 1}

	members := d.uvarint("member count")
	if d.err == nil && members > math.MaxInt32+1 {
		return cadre.Errorf(cadre.EINVALID, "member count %d beyond the highest index", members)
	}
	h.members = int(members)

	nkinds := d.uvarint("type key count")
	if d.err == nil && (nkinds > math.MaxUint16+1 || nkinds > d.left()) {
		return cadre.Errorf(cadre.EINVALID, "type key count %d too large", nkinds)
	}
	for k := range int(nkinds) {
		key := d.bytes("type key")
		if d.err != nil {
			return within(fmt.Sprintf("type key %d", k), d.err)
		}
		if h.kindOf == nil {
			h.kindOf = make(map[string]uint16, nkinds)
		}
		if _, dup := h.kindOf[string(key)]; dup {
			return cadre.Errorf(cadre.EINVALID, "type key %q twice", key)
		}
		h.kindOf[string(key)] = uint16(k)
		h.kinds = append(h.kinds, string(key))
	}

	bitmap := d.bytes("excluded bitmap")
	if d.err != nil {
		return d.err
	}
	if len(bitmap) > 0 && bitmap[len(bitmap)-1] == 0 {
		return cadre.Errorf(cadre.EINVALID, "excluded bitmap ends in a zero byte")
	}
	if len(bitmap) > 0 {
		last := 8*(len(bitmap)-1) + bits.Len8(bitmap[len(bitmap)-1]) - 1
		if last >= h.members {
			return cadre.Errorf(cadre.EINVALID, "excluded member %d beyond member count %d", last, h.members)
		}
		h.excluded = make([]bool, last+1)
		for m := range h.excluded {
			h.excluded[m] = bitmap[m/8]&(1<<(m%8)) != 0
		}
	}

	n := d.uvarint("activity count")
	if d.err != nil {
		return d.err
	}
	if n == 0 {
		return d.end()
	}
	// Every activity takes a byte at least, which bounds what to allocate.
	if n > d.left() {
		return cadre.Errorf(cadre.EINVALID, "%d activities cannot fit in %d bytes", n, d.left())
	}
	if nkinds == 0 {
		return cadre.Errorf(cadre.EINVALID, "activities without any type key")
	}
	base := d.varint("base time")
	unit := d.uvarint("time unit")
	packed := d.byte("packing")
	switch {
	case d.err != nil:
		return d.err
	case unit == 0:
		return cadre.Errorf(cadre.EINVALID, "time unit 0")
	case packed > 1:
		return cadre.Errorf(cadre.EINVALID, "packing %d, want 0 or 1", packed)
	}
	kindBits := uint(bits.Len(uint(nkinds - 1)))
	if packed == 0 {
		kindBits = 0
	}
	kindMask := uint64(1)<<kindBits - 1
	// The farthest a time may lie from base and still be a Unix microsecond.
	limit := uint64(math.MaxInt64) - uint64(base)

	h.member = make([]int32, n)
	h.kind = make([]uint16, n)
	h.at = make([]int64, n)
	member := uint64(0) // one more than the member of the previous group
	for i := 0; i < int(n); {
		gap := d.uvarint("member")
		count := d.uvarint("activity count of a member")
		switch {
		case d.err != nil:
			return within(fmt.Sprintf("activity %d", i), d.err)
		case gap >= members-member:
			return cadre.Errorf(cadre.EINVALID, "activity %d: member beyond member count %d", i, members)
		case count == 0 || count > n-uint64(i):
			return cadre.Errorf(cadre.EINVALID, "activity %d: %d activities for a member, want 1 to %d", i, count, n-uint64(i))
		}
		member += gap
		var dist uint64 // from base
		for range count {
			t := d.uvarint("time")
			kind := t & kindMask
			t >>= kindBits
			if packed == 0 {
				kind = d.uvarint("type")
			}
			if d.err != nil {
				return within(fmt.Sprintf("activity %d", i), d.err)
			}
			if kind >= nkinds {
				return cadre.Errorf(cadre.EINVALID, "activity %d: type %d beyond %d type keys", i, kind, nkinds)
			}
			hi, step := bits.Mul64(t, unit)
			if hi != 0 || step > limit-dist {
				return cadre.Errorf(cadre.EINVALID, "activity %d: time beyond the range of Unix microseconds", i)
			}
			dist += step
			h.member[i], h.kind[i], h.at[i] = int32(member), uint16(kind), int64(uint64(base)+dist)
			i++
		}
		member++
	}
	return d.end()
}

// within returns the invalid error err, saying where it happened.
func within(where string, err error) error {
	return cadre.Errorf(cadre.EINVALID, "%s: %s", where, cadre.ErrorMessage(err))
}

// decoder reads numbers from data, remembering the first failure so that
// checks can wait until a value is needed.
type decoder struct {
	data []byte
	off  int
	err  error
}

// left returns the number of bytes not yet read.
func (d *decoder) left() uint64 { return uint64(len(d.data) - d.off) }

func (d *decoder) uvarint(what string) uint64 {
	// Most numbers of a history are a byte long: take those straight.
	if d.off < len(d.data) && d.data[d.off] < 0x80 {
		d.off++
		return uint64(d.data[d.off-1])
	}
	return d.longUvarint(what)
}

func (d *decoder) longUvarint(what string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.data[d.off:])
	switch {
	case n == 0:
		d.err = cadre.Errorf(cadre.EINVALID, "truncated %s", what)
	case n < 0:
		d.err = cadre.Errorf(cadre.EINVALID, "%s beyond 64 bits", what)
	default:
		d.off += n
	}
	return v
}

func (d *decoder) varint(what string) int64 {
	u := d.uvarint(what)
	return int64(u>>1) ^ -int64(u&1)
}

func (d *decoder) byte(what string) byte {
	if d.err != nil {
		return 0
	}
	if d.off == len(d.data) {
		d.err = cadre.Errorf(cadre.EINVALID, "truncated %s", what)
		return 0
	}
	d.off++
	return d.data[d.off-1]
}

// bytes reads a length, then as many bytes.
func (d *decoder) bytes(what string) []byte {
	n := d.uvarint(what + " length")
	if d.err != nil {
		return nil
	}
	if n > d.left() {
		d.err = cadre.Errorf(cadre.EINVALID, "%s of %d bytes beyond the end of the data", what, n)
		return nil
	}
	d.off += int(n)
	return d.data[d.off-int(n) : d.off]
}

// end checks that everything was read.
func (d *decoder) end() error {
	if d.err == nil && d.off != len(d.data) {
		d.err = cadre.Errorf(cadre.EINVALID, "%d bytes after the end of the history", len(d.data)-d.off)
	}
	return d.err
}
