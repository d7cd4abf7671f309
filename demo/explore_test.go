package demo

import (
	"fmt"
	"sort"
	"testing"
	"time"
)

func TestExplore(t *testing.T) {
	now := time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC)
	t0 := time.Now()
	c := Generate(Options{Seed: 1, Now: now})
	fmt.Println("elapsed", time.Since(t0), len(c.Members), len(c.Activities))
	types := map[string]int{}
	srcs := map[string]int{}
	status := map[string]int{}
	per := map[string]int{}
	years := map[int]int{}
	months := map[time.Month]int{}
	for _, a := range c.Activities {
		types[a.Type]++
		srcs[a.Source+"/"+a.Type]++
		status[string(a.Status)]++
		per[a.Member.Platform+"/"+a.Member.Handle]++
		years[int(now.Sub(a.OccurredAt).Hours()/24/365)]++
		months[a.OccurredAt.Month()]++
	}
	fmt.Println(types); fmt.Println(srcs); fmt.Println(status); fmt.Println("age-years", years); fmt.Println(months)
	roles := map[string]int{}
	nid := map[int]int{}
	for _, p := range c.Members {
		roles[string(p.Member.Status)]++
		if p.Member.Staff { roles["staff"]++ }
		if p.Member.Bot { roles["bot"]++ }
		nid[len(p.Identities)]++
	}
	fmt.Println(roles, nid)
	for i := 0; i < 40; i++ {
		p := c.Members[i*120]
		fmt.Printf("%-28s %-10s %-8s %-22s %v %v %v\n", p.Member.Name, p.Member.Status, p.Member.Region, p.Member.Company, p.Member.Emails, p.Identities, p.Member.CreatedAt.Format("2006-01-02"))
	}
	for i := 0; i < 60; i++ {
		a := c.Activities[i*3331]
		fmt.Printf("%s %-9s %-13s %-30s %-8s %v | %s | %s | %v %v\n", a.OccurredAt.Format(time.RFC3339), a.Type, a.Source, a.ExternalID, a.Status, a.Member, a.Title, a.URL, a.Metrics, a.Mentee)
	}
	var counts []int
	for _, n := range per { counts = append(counts, n) }
	sort.Sort(sort.Reverse(sort.IntSlice(counts)))
	fmt.Println("top", counts[:20], "median", counts[len(counts)/2])
}
