package standings

import (
	"bytes"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
)

func sampleSnapshot(t testing.TB) *Snapshot {
	t.Helper()
	s := newSnapshot()
	members := []cadre.Member{
		{ID: 7, Name: "Ada", Status: cadre.StatusAmbassador},
		{ID: 3, Name: "bob", Status: cadre.StatusMember},
		{ID: 12, Name: "renovate[bot]", Status: cadre.StatusMember, Bot: true},
		{ID: 40, Name: "Éloïse", Status: cadre.StatusAlumni, Staff: true},
		{ID: 41, Name: "", Status: cadre.StatusMember},
	}
	for i := range members {
		if err := s.upsertMember(&members[i]); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2025, 6, 1, 12, 0, 0, 123456000, time.UTC)
	for i, ev := range []cadre.ScoreEvent{
		{MemberID: 7, Type: "forum", OccurredAt: at}, {MemberID: 7, Type: "speaking", OccurredAt: at.AddDate(0, -4, 0)},
		{MemberID: 3, Type: "content", OccurredAt: at}, {MemberID: 12, Type: "code", OccurredAt: at},
		{MemberID: 40, Type: "forum", OccurredAt: at}, {MemberID: 7, Type: "forum", OccurredAt: at},
	} {
		ev.OccurredAt = ev.OccurredAt.Add(time.Duration(i) * time.Microsecond)
		if err := s.add(ev); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestSnapshotRoundTrip(t *testing.T) {
	s := sampleSnapshot(t)
	data, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Snapshot
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	again, err := got.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Fatal("encoding the decoded standings gives other bytes")
	}
	if len(got.members) != len(s.members) || got.history.Len() != s.history.Len() {
		t.Fatalf("decoded %d members and %d activities, want %d and %d", len(got.members), got.history.Len(), len(s.members), s.history.Len())
	}
	for i, m := range s.members {
		if got.members[i] != m || got.index[m.ID] != int32(i) {
			t.Errorf("member %d = %+v (index %d), want %+v", i, got.members[i], got.index[m.ID], m)
		}
	}
	// Every shorter prefix is refused, as is anything with a wrong start.
	for n := range len(data) {
		if err := new(Snapshot).UnmarshalBinary(data[:n]); err == nil {
			t.Fatalf("a prefix of %d of %d bytes decoded", n, len(data))
		}
	}
	bad := bytes.Clone(data)
	bad[len(snapshotMagic)-1] = 9
	if err := new(Snapshot).UnmarshalBinary(bad); err == nil {
		t.Fatal("another format version decoded")
	}
}

func FuzzSnapshotUnmarshal(f *testing.F) {
	data, err := sampleSnapshot(f).MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(snapshotMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Snapshot
		if s.UnmarshalBinary(data) != nil {
			return
		}
		// What decodes encodes again and decodes to the same.
		again, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var s2 Snapshot
		if err := s2.UnmarshalBinary(again); err != nil {
			t.Fatalf("re-encoded standings do not decode: %v", err)
		}
	})
}
