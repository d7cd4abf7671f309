package server

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	texttemplate "text/template"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/standings"
)

// criteriaDoc is the one-page framework of the program, as applicants and
// ambassadors read it: every way to contribute with what it earns, the
// thresholds, the decay and the review cadence.
type criteriaDoc struct {
	Version  int // 0: the defaults
	Types    []criteriaDocType
	Achieve  float64
	Maintain float64
	Decay    string
	Window   int
	Timezone string
}

type criteriaDocType struct {
	Name          string
	Key           string
	Points        float64 // points × multiplier: what one activity earns
	Multiplier    float64
	EffortMinutes float64
}

func newCriteriaDoc(c *criteria.Criteria, version int) criteriaDoc {
	d := criteriaDoc{Version: version, Achieve: c.Thresholds.Achieve, Maintain: c.Thresholds.Maintain, Window: c.ActiveWindowDays, Timezone: c.Timezone}
	for _, t := range c.ActivityTypes {
		name := t.Name
		if name == "" {
			name = t.Key
		}
		d.Types = append(d.Types, criteriaDocType{Name: name, Key: t.Key, Points: t.PointValue(), Multiplier: t.Multiplier, EffortMinutes: t.EffortMinutes})
	}
	switch c.Decay.Mode {
	case criteria.DecayQuarterly:
		d.Decay = fmt.Sprintf("Points lose %g%% of their value at each quarter's end.", c.Decay.Rate*100)
	case criteria.DecayContinuous:
		d.Decay = fmt.Sprintf("Points lose value continuously, %g%% a quarter.", c.Decay.Rate*100)
	default:
		d.Decay = "Points keep their value."
	}
	return d
}

// markdownDoc is the framework as Markdown, for cadre criteria doc.
var markdownDoc = texttemplate.Must(texttemplate.New("doc").Parse(`# How to become an ambassador

Ambassadors are the members whose recent contribution puts them at the top of the
community. Every counted activity earns points; points fade, so the status follows
what you do now, not what you did once.

## Ways to contribute

| Contribution | Points each | Weight | Typical effort |
|---|---|---|---|
{{range .Types}}| {{.Name}} | {{printf "%g" .Points}} | {{printf "%g" .Multiplier}}× | {{if .EffortMinutes}}{{printf "%g" .EffortMinutes}} min{{else}}—{{end}} |
{{end}}
## The bar

- **Qualify** with a score of **{{printf "%g" .Achieve}}**: you may then be invited, or apply.
- **Stay** an ambassador with a score of **{{printf "%g" .Maintain}}** at each quarterly review.
- {{.Decay}}
- Each quarter is reviewed at its last instant ({{.Timezone}}): an ambassador whose score
  is below {{printf "%g" .Maintain}} then becomes an alumnus from the next quarter, and can
  come back by qualifying again.
- The active community are the members with a counted activity in the last {{.Window}} days.
{{if .Version}}
Criteria version {{.Version}}.
{{else}}
The default criteria.
{{end}}`))

// htmlDoc is the framework as an HTML fragment, as /criteria shows it.
var htmlDoc = template.Must(template.ParseFS(assets, "templates/criteria-doc.html"))

// CriteriaDoc writes the framework of criteria c (stored as version, 0 for
// the defaults) as Markdown ("md") or an HTML fragment ("html").
func CriteriaDoc(w io.Writer, c *criteria.Criteria, version int, format string) error {
	d := newCriteriaDoc(c, version)
	switch format {
	case "md":
		return markdownDoc.Execute(w, d)
	case "html":
		return htmlDoc.ExecuteTemplate(w, "criteria-doc", d)
	}
	return cadre.Errorf(cadre.EINVALID, "format must be md or html, got %s", cadre.Quote(format))
}

// criteriaPage is the data of templates/criteria.html.
type criteriaPage struct {
	Doc criteriaDoc
}

// handleCriteriaPage serves the framework in force, publicly: applicants
// read it before they apply.
func (s *Server) handleCriteriaPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var d criteriaDoc
		err := s.live.Read(r.Context(), 0, func(eng *standings.Engine) error {
			version, err := VersionInForce(r.Context(), s.store)
			d = newCriteriaDoc(eng.Criteria(), version)
			return err
		})
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		s.render(w, r, "criteria.html", criteriaPage{Doc: d})
	})
}
