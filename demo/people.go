package demo

import (
	"math"
	"strconv"
	"strings"

	"github.com/cadrehq/cadre"
)

// Platforms on which members have identities. Activities from the "events"
// and "report" sources name a member by their primary identity instead.
const (
	platformDiscourse     = "discourse"
	platformGitHub        = "github"
	platformStackExchange = "stackexchange"
	platformRSS           = "rss"
)

// persona is what a member mostly does; it weights the types of their activities.
type persona uint8

const (
	personaGeneralist persona = iota
	personaAnswerer
	personaCoder
	personaWriter
	personaAdvocate
	personaStaff
)

// personaMix weights activity types, in the order of typeKeys, by persona.
// Forum participation dominates everywhere; speaking is rare.
var personaMix = [...][numTypes]float64{
	personaGeneralist: {70, 3, 1.5, 0.8, 10, 4, 8},
	personaAnswerer:   {90, 0.5, 1, 0.1, 4, 1, 2},
	personaCoder:      {45, 0.5, 0.5, 0.2, 18, 2, 30},
	personaWriter:     {35, 40, 2, 4, 6, 3, 2},
	personaAdvocate:   {55, 12, 7, 4, 6, 6, 6},
	personaStaff:      {60, 10, 2, 3, 6, 0, 18},
}

// blogKind is where a member's blog is hosted, which shapes its URLs.
type blogKind uint8

const (
	blogPersonal blogKind = iota // https://{name}.example.org/{yyyy}/{mm}/{slug}/
	blogMedium                   // https://medium.example.org/@{name}/{slug}-{hex}
	blogDev                      // https://dev.example.org/{name}/{slug}-{base36}
	blogCompany                  // https://blog.cadre-demo.example/{slug}/, for staff
)

// person is a member while the community is generated.
type person struct {
	name        string // display name
	first, last string // empty for bots
	region      string
	offset      int64  // seconds local time is ahead of UTC
	city        string // where they go to meetups
	company     string
	staff, bot  bool
	status      cadre.MemberStatus
	persona     persona
	count       int       // activities to generate
	forum       [2]string // primary and optional secondary forum platform
	blog        blogKind
	blogName    string // DNS-safe name in blog URLs
	identities  []cadre.Identity
	emails      []string
	join, leave int64 // first activity, and when they go quiet (Unix seconds)
	// seasons are the cumulative weights of the quarter-long stretches of
	// [join, leave] in which a regular's activities fall: busy and quiet
	// spells, as work and life bring them; nil spreads them evenly.
	seasons []float64
	firstAt int64 // first activity or mention as a mentee
}

// identity returns the person's identity on platform, or their primary
// identity when they have none there.
func (p *person) identity(platform string) cadre.Identity {
	for _, id := range p.identities {
		if id.Platform == platform {
			return id
		}
	}
	return p.identities[0]
}

// ref names the person the way a record from platform does.
func (p *person) ref(platform string) cadre.MemberRef {
	id := p.identity(platform)
	return cadre.MemberRef{Platform: id.Platform, Handle: id.Handle, Name: p.name}
}

// selfRef names the person the way their own report or a talk listing does:
// by their primary identity and primary email address.
func (p *person) selfRef() cadre.MemberRef {
	r := p.ref(p.identities[0].Platform)
	if len(p.emails) > 0 {
		r.Email = p.emails[0]
	}
	return r
}

// newHuman draws a person's name, region, company and time zone.
func (g *generator) newHuman() *person {
	grp := &nameGroups[pickWeighted(g.rng, g.groupWeights)]
	p := &person{
		first:  grp.first[g.rng.IntN(len(grp.first))],
		last:   grp.last[g.rng.IntN(len(grp.last))],
		region: regions[pickWeighted(g.rng, grp.regions[:])],
		status: cadre.StatusMember,
	}
	if g.rng.Float64() < 0.12 { // the diaspora
		p.region = regions[g.rng.IntN(len(regions))]
	}
	p.name = p.first + " " + p.last
	offsets := regionOffsets[p.region]
	if g.rng.Float64() < 0.5 {
		p.offset = int64(offsets[0]) * 3600
	} else {
		p.offset = int64(offsets[g.rng.IntN(len(offsets))]) * 3600
	}
	cities := meetupCities[p.region]
	p.city = cities[g.rng.IntN(len(cities))]
	if g.rng.Float64() < 0.72 {
		for {
			c := companies[g.rng.IntN(len(companies))]
			if c.region == "" || c.region == p.region || g.rng.Float64() < 0.1 {
				p.company = c.name
				break
			}
		}
	}
	return p
}

// baseHandle draws the handle a person uses, with small variations, on every
// platform. Pseudonymous handles sometimes stand in for the name as well.
func (g *generator) baseHandle(p *person) string {
	f, l := handleWord(p.first), handleWord(p.last)
	switch g.rng.IntN(14) {
	case 0, 1:
		if g.rng.IntN(6) == 0 {
			return capitalize(f) + capitalize(l)
		}
		return f + l
	case 2:
		return f + "-" + l
	case 3:
		return f + "_" + l
	case 4:
		return f + "." + l
	case 5, 6:
		return f[:1] + l
	case 7:
		return f + l[:1]
	case 8:
		return f + strconv.Itoa(100 + (70+g.rng.IntN(36))%100)[1:] // a birth year, 70 to 05
	case 9:
		return l + f[:1]
	case 10:
		return f + "-" + handleSuffixes[g.rng.IntN(len(handleSuffixes))]
	case 11:
		return f + l + strconv.Itoa(1+g.rng.IntN(99))
	default:
		h := handleAdjectives[g.rng.IntN(len(handleAdjectives))] + "-" + handleNouns[g.rng.IntN(len(handleNouns))]
		if g.rng.IntN(2) == 0 && !p.staff {
			p.name = h
		}
		return h
	}
}

// handleWord is a name as it appears in handles and email addresses.
func handleWord(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(asciiFold(name)) {
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func capitalize(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// addIdentities gives p an identity on every platform their activities come
// from, the primary forum platform first, each with a handle derived from one
// base handle and unique on its platform.
func (g *generator) addIdentities(p *person, kinds []kind) {
	var used [numKinds]bool
	for _, k := range kinds {
		used[k] = true
	}
	want := map[string]bool{}
	for k, ok := range used {
		if ok {
			want[kindPlatform[k]] = true
		}
	}
	// Talks and self-reports name the member by a forum or GitHub identity.
	if want[""] && !want[platformDiscourse] && !want[platformGitHub] && !want[platformStackExchange] {
		want[p.forum[0]] = true
	}
	base := g.baseHandle(p)
	order := []string{p.forum[0], platformDiscourse, platformGitHub, platformStackExchange, platformRSS}
	for _, platform := range order {
		if !want[platform] {
			continue
		}
		want[platform] = false
		id := cadre.Identity{Platform: platform, Handle: g.platformHandle(p, platform, base)}
		if platform == platformGitHub {
			id.UserID = g.githubUserID()
		}
		p.identities = append(p.identities, id)
	}
}

// platformHandle adapts base to the rules and customs of platform and makes
// it unique there (case-insensitively), adding digits when it is taken.
func (g *generator) platformHandle(p *person, platform, base string) string {
	h := base
	switch platform {
	case platformGitHub:
		h = strings.NewReplacer(".", "-", "_", "-").Replace(base)
	case platformStackExchange:
		// Stack Exchange shows display names, often the real name.
		if p.first != "" && g.rng.IntN(2) == 0 {
			h = p.first + " " + p.last
		}
	case platformRSS:
		return g.feed(p, base)
	}
	taken := g.handles[platform]
	for try := h; ; try = h + strconv.Itoa(g.rng.IntN(1000)) {
		if key := strings.ToLower(try); !taken[key] {
			taken[key] = true
			return try
		}
	}
}

// feed picks where p blogs and returns the URL of their feed, which is their
// identity on the rss platform.
func (g *generator) feed(p *person, base string) string {
	name := strings.ToLower(strings.NewReplacer(".", "-", "_", "-").Replace(base))
	taken := g.handles[platformRSS]
	for try := name; ; try = name + strconv.Itoa(g.rng.IntN(1000)) {
		if !taken[try] {
			taken[try] = true
			name = try
			break
		}
	}
	p.blogName = name
	switch {
	case p.staff:
		p.blog = blogCompany
		return "https://blog." + StaffDomain + "/authors/" + name + "/feed.xml"
	case g.rng.IntN(3) == 0:
		p.blog = blogMedium
		return "https://medium.example.org/feed/@" + name
	case g.rng.IntN(2) == 0:
		p.blog = blogDev
		return "https://dev.example.org/feed/" + name
	default:
		p.blog = blogPersonal
		return "https://" + name + ".example.org/feed.xml"
	}
}

// githubUserID draws a GitHub user id not used yet.
func (g *generator) githubUserID() string {
	for {
		id := 100_000 + g.rng.Int64N(160_000_000)
		if !g.githubIDs[id] {
			g.githubIDs[id] = true
			return strconv.FormatInt(id, 10)
		}
	}
}

// addEmails gives p one or two lower-case email addresses: staff at the
// company domain, others at their employer's or a personal mail domain.
func (g *generator) addEmails(p *person) {
	f, l := handleWord(p.first), handleWord(p.last)
	switch {
	case p.staff:
		g.addEmail(p, f+"."+l, StaffDomain)
		return
	case p.company != "" && g.rng.Float64() < 0.45:
		g.addEmail(p, f+"."+l, slug(p.company)+".example")
		if g.rng.Float64() > 0.25 {
			return
		}
	}
	var local string
	switch g.rng.IntN(6) {
	case 0, 1:
		local = f + "." + l
	case 2:
		local = f + l
	case 3:
		local = f[:1] + l
	case 4:
		local = f + l + strconv.Itoa(1+g.rng.IntN(99))
	default:
		local = emailLocal(p.identities[0].Handle)
	}
	g.addEmail(p, local, mailDomains[g.rng.IntN(len(mailDomains))])
}

// emailLocal turns a handle into the local part of an email address.
func emailLocal(handle string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(asciiFold(handle)) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// addEmail adds local@domain to p, with digits added to local when another
// member has the address.
func (g *generator) addEmail(p *person, local, domain string) {
	for try := local; ; try = local + strconv.Itoa(g.rng.IntN(1000)) {
		addr := try + "@" + domain
		if !g.emails[addr] {
			g.emails[addr] = true
			p.emails = append(p.emails, addr)
			return
		}
	}
}

// activityCounts splits total activities among n people by a Zipf–Mandelbrot
// law, count(rank) ∝ noise / (rank + k)^s, everyone having at least one. With
// the defaults the busiest person has a few thousand activities over three
// years, the top 1% about half of all, and the median person two.
func activityCounts(g *generator, n, total int) []int {
	const s = 1.75
	k := max(2, 0.006*float64(n))
	w := make([]float64, n)
	for r := range w {
		w[r] = math.Exp(0.3*g.rng.NormFloat64()) / math.Pow(float64(r)+k, s)
	}
	counts := make([]int, n)
	fill := func(c float64) int {
		sum := 0
		for r, wr := range w {
			counts[r] = max(1, int(math.Round(c*wr)))
			sum += counts[r]
		}
		return sum
	}
	lo, hi := 0.0, 1.0
	for fill(hi) < total {
		lo, hi = hi, 2*hi
	}
	for range 60 {
		if mid := (lo + hi) / 2; fill(mid) >= total {
			hi = mid
		} else {
			lo = mid
		}
	}
	// The sum at hi may overshoot by a step or two; take it off the busiest.
	excess := fill(hi) - total
	for r := 0; excess > 0 && r < n; r++ {
		if counts[r] > 1 {
			counts[r]--
			excess--
		}
	}
	return counts
}
