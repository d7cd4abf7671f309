package reward

import "github.com/cadrehq/cadre"

// Sample is a small catalog and matrix of the kind programs start from,
// for demonstrations: four pain points ambassadors name, and rewards of
// both kinds scored against them.
func Sample() ([]Reward, *Matrix) {
	stock := func(n int) *int { return &n }
	rewards := []Reward{
		{Name: "Conference pass", Kind: Extrinsic, Cost: 900, Stock: stock(5), Eligibility: Eligibility{Status: cadre.StatusAmbassador, MinScore: 60}},
		{Name: "Swag pack", Kind: Extrinsic, Cost: 40, Stock: stock(100), Eligibility: Eligibility{Regions: []string{"EU", "US"}}},
		{Name: "Roadmap briefing", Kind: Intrinsic, Cost: 0, Eligibility: Eligibility{Status: cadre.StatusAmbassador}},
		{Name: "Featured on the blog", Kind: Intrinsic, Cost: 0, Eligibility: Eligibility{MaxRank: 20}},
	}
	m := &Matrix{
		PainPoints: []PainPoint{{Name: "Visibility", Weight: 2}, {Name: "Access to the team", Weight: 3}, {Name: "Travel costs", Weight: 1}, {Name: "Recognition", Weight: 2}},
		Rows: []Row{
			{Reward: "Conference pass", Kind: Extrinsic, Scores: []int{7, 4, 10, 5}},
			{Reward: "Swag pack", Kind: Extrinsic, Scores: []int{3, 0, 0, 4}},
			{Reward: "Roadmap briefing", Kind: Intrinsic, Scores: []int{2, 9, 0, 6}},
			{Reward: "Featured on the blog", Kind: Intrinsic, Scores: []int{9, 2, 0, 8}},
		},
	}
	return rewards, m
}
