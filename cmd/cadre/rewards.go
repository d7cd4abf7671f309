package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/reward"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/store"
)

const rewardsHelp = `The program's rewards (SPEC 6): a catalog, pain points with weights, the matrix
scoring each reward 1-10 against each pain point, the ranking by value
(value = Σ weight × score, an empty cell 0; ties by name), grants to members
with their fulfilment (promised → sent → delivered, or cancelled), a budget per
quarter, and each grant's impact: the recipient's counted activities and points
in the 60 days before it against the 60 days after.

  cadre rewards list [--json]
  cadre rewards add --name NAME --kind extrinsic|intrinsic [--cost 40] [--stock 100]
        [--status ambassador] [--min-score 60] [--max-rank 10] [--regions EU,US]
  cadre rewards value [--json]                 [{"reward", "value"}], the most valuable first
  cadre rewards matrix export FILE             FILE - writes to standard output
  cadre rewards matrix import FILE             FILE - reads standard input
  cadre rewards grant --reward NAME --member REF [--note TEXT]
  cadre rewards grant --id N --state sent|delivered|cancelled
  cadre rewards grants [--quarter 2026Q2] [--json]   with impact and the average per reward
  cadre rewards budget [--quarter 2026Q2] [--amount 5000] [--json]

The matrix file is CSV with the header reward,kind,<pain point>,…, one reward
a row, an optional row whose reward is "weight" holding the pain points'
weights (default 1), and an empty cell meaning 0. Importing adds the rewards
and pain points it names, and its cells replace the matrix's.
A grant is refused (exit 1) when the member is not eligible (status, minimum
score, leaderboard rank, region), the reward is out of stock, or the quarter's
budget would be exceeded. --quarter defaults to the quarter under way.`

func cmdRewards(ctx context.Context, e *env) error {
	fs := e.flags("rewards", "list|add|value|matrix import|matrix export|grant|grants|budget", rewardsHelp)
	db := e.dbFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	name := fs.String("name", "", "add: the reward's name")
	kind := fs.String("kind", "", "add: extrinsic or intrinsic")
	cost := fs.Float64("cost", 0, "add: what one grant costs")
	stock := fs.String("stock", "", "add: how many there are (default: no limit)")
	status := fs.String("status", "", "add: the status a recipient must have (member, ambassador, alumni)")
	minScore := fs.Float64("min-score", 0, "add: the score a recipient needs")
	maxRank := fs.Int("max-rank", 0, "add: the leaderboard rank a recipient needs at most (0: any)")
	regions := fs.String("regions", "", "add: where it ships, comma-separated (default: anywhere)")
	rewardName := fs.String("reward", "", "grant: the reward's name")
	member := fs.String("member", "", "grant: the member, platform:handle, an email or an ID")
	note := fs.String("note", "", "grant: a note")
	id := fs.Int64("id", 0, "grant: the grant to move")
	state := fs.String("state", "", "grant: the state to move it to")
	quarter := fs.String("quarter", "", "grants, budget: the quarter (default: the one under way)")
	amount := fs.String("amount", "", "budget: set the quarter's budget")
	actor := actorFlag(fs)
	args, err := e.parseMixed(fs)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return usagef("rewards needs a subcommand: list, add, value, matrix, grant, grants or budget")
	}
	sub := args[0]
	switch {
	case sub == "matrix" && (len(args) != 3 || args[1] != "import" && args[1] != "export"):
		return usagef("rewards matrix needs import FILE or export FILE")
	case sub != "matrix" && len(args) != 1:
		return usagef("rewards %s takes no argument, got %q", sub, strings.Join(args[1:], " "))
	}
	use := existing
	if sub == "add" || sub == "matrix" && args[1] == "import" {
		use = creates
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	// Read and checked before the store opens, so that a mistake is usage.
	var r reward.Reward
	var matrix *reward.Matrix
	switch sub {
	case "add":
		if *name == "" || *kind == "" {
			return usagef("rewards add needs --name and --kind")
		}
		r = reward.Reward{Name: *name, Kind: reward.Kind(*kind), Cost: *cost, Eligibility: reward.Eligibility{
			Status: cadre.MemberStatus(*status), MinScore: *minScore, MaxRank: *maxRank, Regions: reward.ParseRegions(*regions)}}
		if *stock != "" {
			n, err := strconv.Atoi(*stock)
			if err != nil {
				return usagef("--stock must be a whole number")
			}
			r.Stock = &n
		}
		if err := r.Check(); err != nil {
			return usagef("%s", cadre.ErrorMessage(err))
		}
	case "matrix":
		if args[1] == "import" {
			if matrix, err = readMatrixFile(e, args[2]); err != nil {
				return err
			}
		}
	case "grant":
		switch {
		case set["id"] != set["state"]:
			return usagef("rewards grant --id N needs --state, and --state needs --id")
		case !set["id"] && (*rewardName == "" || *member == ""):
			return usagef("rewards grant needs --reward and --member, or --id and --state")
		}
	case "list", "value", "grants", "budget":
	default:
		return usagef("unknown rewards subcommand %q: list, add, value, matrix, grant, grants or budget", sub)
	}
	st, err := openStore(ctx, e, db, use)
	if err != nil {
		return err
	}
	defer st.Close()
	who := e.actor(*actor)
	switch sub {
	case "list":
		return rewardsList(ctx, e, st, *asJSON)
	case "add":
		if err := st.SaveReward(ctx, &r, who); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "reward %d: %s\n", r.ID, r.Name)
		return nil
	case "value":
		values, err := server.RewardValues(ctx, st)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e, values)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "REWARD\tVALUE")
		for _, v := range values {
			fmt.Fprintf(tw, "%s\t%g\n", v.Reward, v.Value)
		}
		return tw.Flush()
	case "matrix":
		if matrix != nil {
			res, err := st.ImportRewardMatrix(ctx, matrix, who)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "imported %d rewards (%d new), %d new pain points\n", res.Rewards, res.RewardsAdded, res.PainPointsAdded)
			return nil
		}
		m, err := st.RewardMatrix(ctx)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := reward.WriteMatrix(&buf, m); err != nil {
			return err
		}
		if args[2] == "-" {
			_, err = e.stdout.Write(buf.Bytes())
			return err
		}
		if err := os.WriteFile(args[2], buf.Bytes(), 0o644); err != nil { //nolint:gosec // a file the user names, for their spreadsheet
			return fmt.Errorf("write %s: %w", args[2], err)
		}
		return nil
	}
	eng, err := loadStandings(ctx, e, st, 0)
	if err != nil {
		return err
	}
	q := program.QuarterOf(st.Now(), eng.Criteria().Location())
	if *quarter != "" {
		if q, err = program.ParseQuarter(*quarter); err != nil {
			return usagef("--quarter: %s", cadre.ErrorMessage(err))
		}
	}
	switch sub {
	case "grant":
		if set["id"] {
			to, err := reward.ParseState(*state)
			if err != nil {
				return usagef("--state: %s", cadre.ErrorMessage(err))
			}
			if err := st.MoveGrant(ctx, *id, to, who); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "grant %d %s\n", *id, to)
			return nil
		}
		rw, err := st.RewardByName(ctx, *rewardName)
		if err != nil {
			return err
		}
		mid, err := st.FindMember(ctx, *member)
		if err != nil {
			return err
		}
		g, err := server.GrantReward(ctx, st, eng, rw.ID, mid, st.Now(), *note, who)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "grant %d: %s promised to member %d, %g from the %s budget\n", g.ID, g.Reward, g.MemberID, g.Cost, g.Quarter)
		return nil
	case "grants":
		qs := ""
		if *quarter != "" {
			qs = q.String()
		}
		grants, avgs, err := server.GrantImpacts(ctx, st, eng.Criteria(), st.Now(), qs, server.MemberNames(ctx, st.Member))
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e, struct {
				Grants  []server.GrantJSON        `json:"grants"`
				Average []server.RewardImpactJSON `json:"average"`
			}{grants, avgs})
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tGRANTED\tREWARD\tMEMBER\tSTATE\tACTIVITIES\tPOINTS")
		for _, g := range grants {
			so := ""
			if !g.Impact.Complete {
				so = " (so far)"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d → %d\t%g → %g%s\n", g.ID, g.At.Format(time.DateOnly), g.Reward, g.Member, g.State,
				g.Impact.BeforeActivities, g.Impact.AfterActivities, g.Impact.BeforePoints, g.Impact.AfterPoints, so)
		}
		return tw.Flush()
	case "budget":
		if *amount != "" {
			a, err := strconv.ParseFloat(*amount, 64)
			if err != nil {
				return usagef("--amount must be a number")
			}
			if err := st.SetRewardBudget(ctx, q, a, who); err != nil {
				return err
			}
		}
		b, err := st.RewardBudget(ctx, q)
		if err != nil {
			return err
		}
		if *asJSON {
			var amt *float64
			if b.Set {
				amt = &b.Amount
			}
			return printJSON(e, struct {
				Quarter string   `json:"quarter"`
				Amount  *float64 `json:"amount"`
				Spent   float64  `json:"spent"`
			}{b.Quarter, amt, b.Spent})
		}
		if b.Set {
			fmt.Fprintf(e.stdout, "%s: %g spent of %g, %g left\n", b.Quarter, b.Spent, b.Amount, b.Left())
		} else {
			fmt.Fprintf(e.stdout, "%s: no budget set, %g spent\n", b.Quarter, b.Spent)
		}
		return nil
	}
	return nil
}

// readMatrixFile reads a matrix file, or standard input for "-". A bad
// file is a refused import (exit 1), its error naming line and column.
func readMatrixFile(e *env, path string) (*reward.Matrix, error) {
	if path == "-" {
		return reward.ReadMatrix(e.stdin, "standard input")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, cadre.Errorf(cadre.EINVALID, "%v", err)
	}
	defer f.Close()
	return reward.ReadMatrix(f, path)
}

// rewardJSON is a catalog entry as cadre rewards list --json prints it.
type rewardJSON struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	Kind     string   `json:"kind"`
	Cost     float64  `json:"cost"`
	Stock    *int     `json:"stock"`
	Status   string   `json:"status"`
	MinScore float64  `json:"min_score"`
	MaxRank  int      `json:"max_rank"`
	Regions  []string `json:"regions"`
}

func rewardsList(ctx context.Context, e *env, st *store.Store, asJSON bool) error {
	rs, err := st.Rewards(ctx)
	if err != nil {
		return err
	}
	out := []rewardJSON{}
	for _, r := range rs {
		regions := r.Regions
		if regions == nil {
			regions = []string{}
		}
		out = append(out, rewardJSON{ID: r.ID, Name: r.Name, Kind: string(r.Kind), Cost: r.Cost, Stock: r.Stock, Status: string(r.Status),
			MinScore: r.MinScore, MaxRank: r.MaxRank, Regions: regions})
	}
	if asJSON {
		return printJSON(e, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tREWARD\tKIND\tCOST\tSTOCK\tELIGIBLE")
	for _, r := range out {
		stock := "unlimited"
		if r.Stock != nil {
			stock = strconv.Itoa(*r.Stock)
		}
		var who []string
		if r.Status != "" {
			who = append(who, r.Status)
		}
		if r.MinScore > 0 {
			who = append(who, fmt.Sprintf("score ≥ %g", r.MinScore))
		}
		if r.MaxRank > 0 {
			who = append(who, fmt.Sprintf("top %d", r.MaxRank))
		}
		if len(r.Regions) > 0 {
			who = append(who, "ships to "+strings.Join(r.Regions, ", "))
		}
		if len(who) == 0 {
			who = []string{"anyone"}
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%g\t%s\t%s\n", r.ID, r.Name, r.Kind, r.Cost, stock, strings.Join(who, "; "))
	}
	return tw.Flush()
}
