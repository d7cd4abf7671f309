package demo

import (
	"fmt"
	"testing"
	"time"
	"os"
	"sort"
	"runtime/pprof"
)

func TestExplore2(t *testing.T) {
	now := time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC)
	f, _ := os.Create("/tmp/explore/cpu.prof")
	pprof.StartCPUProfile(f)
	for range 5 { Generate(Options{Seed: 2, Now: now}) }
	pprof.StopCPUProfile()
	c := Generate(Options{Seed: 1, Now: now})
	byRef := map[string]int{}
	for i, p := range c.Members { for _, id := range p.Identities { byRef[id.Platform+"/"+id.Handle] = i } }
	score := make([]float64, len(c.Members))
	active := make([]bool, len(c.Members))
	q := func(t time.Time) int { return 4*t.Year() + (int(t.Month())-1)/3 }
	pts := map[string]float64{"forum":1,"content":3,"mentoring":4,"speaking":5,"feedback":2,"beta":2,"code":2}
	quarters := map[int]int{}
	for _, a := range c.Activities {
		quarters[q(a.OccurredAt)]++
		if a.Status != "approved" { continue }
		i := byRef[a.Member.Platform+"/"+a.Member.Handle]
		s := 1.0
		for k := q(a.OccurredAt); k < q(now); k++ { s *= 0.75 }
		score[i] += pts[a.Type] * s
		if now.Sub(a.OccurredAt) < 90*24*time.Hour { active[i] = true }
	}
	nActive, qual, ambQual, ambActive := 0, 0, 0, 0
	for i, p := range c.Members {
		if p.Member.Staff || p.Member.Bot || !active[i] { continue }
		nActive++
		if score[i] >= 60 { qual++; if p.Member.Status == "ambassador" { ambQual++ } }
		if p.Member.Status == "ambassador" { ambActive++ }
	}
	var act []float64
	for i, p := range c.Members { if !p.Member.Staff && !p.Member.Bot && active[i] { act = append(act, score[i]) } }
	sort.Sort(sort.Reverse(sort.Float64Slice(act)))
	for _, tgt := range []float64{0.01, 0.05} { k := max(1, int(tgt*float64(len(act)))); fmt.Println("calibrate", tgt, act[k-1]) }
	fmt.Println("active", nActive, "qualifying", qual, "share", float64(qual)/float64(nActive), "amb qualifying", ambQual, "amb active", ambActive)
	for k := q(now.AddDate(-3,0,0)); k <= q(now); k++ { fmt.Print(k/4, "Q", k%4+1, ":", quarters[k], " ") }
	fmt.Println()
	// mentees activation
	first := map[int]time.Time{}
	for _, a := range c.Activities { i := byRef[a.Member.Platform+"/"+a.Member.Handle]; if _, ok := first[i]; !ok { first[i] = a.OccurredAt } }
	men, later := 0, 0
	for _, a := range c.Activities { if a.Type == "mentoring" { men++; m := byRef[a.Mentee.Platform+"/"+a.Mentee.Handle]; if first[m].After(a.OccurredAt) { later++ } } }
	fmt.Println("mentoring", men, "mentee first active later", later)
	for _, p := range c.Members { if p.Member.Status == "alumni" { i := byRef[p.Identities[0].Platform+"/"+p.Identities[0].Handle]; fmt.Printf("%.0f ", score[i]) } }
	fmt.Println()
	for _, p := range c.Members { if p.Member.Status == "ambassador" { i := byRef[p.Identities[0].Platform+"/"+p.Identities[0].Handle]; fmt.Printf("%.0f ", score[i]) } }
	fmt.Println()
	for _, p := range c.Members { if p.Member.Staff { i := byRef[p.Identities[0].Platform+"/"+p.Identities[0].Handle]; fmt.Printf("%s %v %.0f; ", p.Member.Name, p.Member.Emails, score[i]) } }
	fmt.Println()
}
