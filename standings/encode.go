package standings

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cadrehq/cadre"
)

// snapshotMagic starts the binary form of a Snapshot; its last byte is the
// format version.
const snapshotMagic = "cadre-standings\x01"

// statuses numbers member statuses in the binary form.
var statuses = []cadre.MemberStatus{cadre.StatusMember, cadre.StatusAmbassador, cadre.StatusAlumni}

// MarshalBinary encodes the snapshot: its members in dense-index order (ID as
// a delta from the previous one, name, status, whether excluded), then the
// activity history in the score package's form.
func (s *Snapshot) MarshalBinary() ([]byte, error) {
	history, err := s.history.MarshalBinary()
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, len(snapshotMagic)+len(s.members)*16+len(history)+16)
	b = append(b, snapshotMagic...)
	b = binary.AppendUvarint(b, uint64(len(s.members)))
	var prev int64
	for _, m := range s.members {
		b = binary.AppendVarint(b, m.ID-prev)
		prev = m.ID
		b = binary.AppendUvarint(b, uint64(len(m.Name)))
		b = append(b, m.Name...)
		code := -1
		for i, st := range statuses {
			if st == m.Status {
				code = i
			}
		}
		if code < 0 {
			return nil, fmt.Errorf("encode standings: member %d has unknown status %q", m.ID, m.Status)
		}
		flags := byte(code) << 1
		if m.Excluded {
			flags |= 1
		}
		b = append(b, flags)
	}
	b = binary.AppendUvarint(b, uint64(len(history)))
	return append(b, history...), nil
}

// errTruncated reports encoded standings that end early.
var errTruncated = errors.New("truncated")

// UnmarshalBinary decodes what MarshalBinary encoded, replacing s's content.
func (s *Snapshot) UnmarshalBinary(data []byte) error {
	if err := s.unmarshal(data); err != nil {
		return fmt.Errorf("decode standings: %w", err)
	}
	return nil
}

func (s *Snapshot) unmarshal(data []byte) error {
	if len(data) < len(snapshotMagic) || string(data[:len(snapshotMagic)]) != snapshotMagic {
		return errors.New("not standings of this version")
	}
	r := data[len(snapshotMagic):]
	uvarint := func() (uint64, error) {
		v, n := binary.Uvarint(r)
		if n <= 0 {
			return 0, errTruncated
		}
		r = r[n:]
		return v, nil
	}
	n, err := uvarint()
	if err != nil {
		return err
	}
	// Each member takes at least three bytes: a bound that keeps a corrupt
	// count from allocating much.
	if n > uint64(len(r)/3) {
		return fmt.Errorf("%d members cannot fit in %d bytes", n, len(r))
	}
	fresh := newSnapshot()
	fresh.members = make([]Member, n)
	var prev int64
	for i := range fresh.members {
		d, k := binary.Varint(r)
		if k <= 0 {
			return errTruncated
		}
		r = r[k:]
		m := &fresh.members[i]
		m.ID = prev + d
		prev = m.ID
		l, err := uvarint()
		if err != nil {
			return err
		}
		if l+1 > uint64(len(r)) {
			return errTruncated
		}
		m.Name = string(r[:l])
		flags := r[l]
		r = r[l+1:]
		if int(flags>>1) >= len(statuses) {
			return fmt.Errorf("member %d: unknown status code %d", m.ID, flags>>1)
		}
		m.Status, m.Excluded = statuses[flags>>1], flags&1 == 1
		if _, dup := fresh.index[m.ID]; dup {
			return fmt.Errorf("member %d appears twice", m.ID)
		}
		fresh.index[m.ID] = int32(i)
	}
	l, err := uvarint()
	if err != nil {
		return err
	}
	if l != uint64(len(r)) {
		return fmt.Errorf("history of %d bytes where %d remain", l, len(r))
	}
	if err := fresh.history.UnmarshalBinary(r); err != nil {
		return err
	}
	if fresh.history.Members() > len(fresh.members) {
		return fmt.Errorf("history names %d members, standings %d", fresh.history.Members(), len(fresh.members))
	}
	// Room to grow: without it the first activity after a restart would copy
	// every column of the history at once.
	fresh.history.Grow(fresh.history.Len()/8 + 1024)
	*s = *fresh
	return nil
}
