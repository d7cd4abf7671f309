package server

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/cadrehq/cadre/standings"
)

// scoreChart draws a member's score history as an SVG line chart, with the
// achieve and maintain thresholds as dashed lines. It writes only numbers and
// dates it formats itself, so the markup is safe to embed.
func scoreChart(ms *standings.MemberScore) template.HTML {
	const w, h, left, right, top, bottom = 720.0, 220.0, 48.0, 40.0, 12.0, 28.0
	hi := max(ms.Achieve, ms.Maintain, 1)
	for _, p := range ms.History {
		hi = max(hi, p.Score)
	}
	hi *= 1.1
	n := len(ms.History)
	x := func(i int) float64 {
		if n < 2 {
			return left
		}
		return left + float64(i)*(w-left-right)/float64(n-1)
	}
	y := func(v float64) float64 { return top + (1-v/hi)*(h-top-bottom) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %.0f %.0f" role="img" aria-label="Score over the last three years">`, w, h)
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e3e6ee"/>`, left, y(0), w-right, y(0))
	// The achieve label sits above its line, maintain's below, so that close
	// thresholds stay readable.
	for _, th := range []struct {
		name  string
		value float64
		color string
		dy    float64
	}{{"achieve", ms.Achieve, "#3b5bdb", -4}, {"maintain", ms.Maintain, "#e8a33a", 12}} {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-dasharray="4 4"/>`, left, y(th.value), w-right, y(th.value), th.color)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" fill="%s" text-anchor="end">%s %.0f</text>`, w-right, y(th.value)+th.dy, th.color, th.name, th.value)
	}
	var pts []string
	for i, p := range ms.History {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(p.Score)))
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="#1d2330"><title>%s: %.1f</title></circle>`, x(i), y(p.Score), p.At.Format("2006-01-02"), p.Score)
		if i%2 == 1 || i == n-1 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" fill="#687085" text-anchor="middle">%s</text>`, x(i), h-8, p.At.Format("Jan 2006"))
		}
	}
	fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#1d2330" stroke-width="2"/>`, strings.Join(pts, " "))
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" fill="#687085" text-anchor="end">%.0f</text>`, left-6, y(hi/1.1)+4, hi/1.1)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" fill="#687085" text-anchor="end">0</text>`, left-6, y(0)+4)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // #nosec: numbers and dates only
}

// Formats of a trendChart's figures.
func percent(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }
func tenths(f float64) string  { return fmt.Sprintf("%.1f", f) }
func whole(f float64) string   { return fmt.Sprintf("%.0f", f) }

// series is one line of a trendChart.
type series struct {
	name   string
	values []*float64 // by quarter; nil leaves a gap
}

// seriesColors tell a chart's lines apart; the first is the page's ink.
var seriesColors = [...]string{"#1d2330", "#1565c0", "#8e24aa"}

// trendChart draws figures across quarters as SVG lines, with a band (min
// to max; both 0 for none) shaded behind them and a legend when there is
// more than one line. Quarters whose figure is undefined (nil) leave a gap.
// Like scoreChart it writes only numbers and labels it formats itself.
func trendChart(label string, quarters []string, bandMin, bandMax float64, format func(float64) string, lines ...series) template.HTML {
	const w, h, left, right, top, bottom = 720.0, 180.0, 56.0, 16.0, 12.0, 26.0
	// The scale runs from 0, or the lowest figure when one is negative (an
	// NPS), to the highest with room above.
	lo, hi := 0.0, max(bandMax, 0)
	for _, l := range lines {
		for _, v := range l.values {
			if v != nil {
				lo, hi = min(lo, *v), max(hi, *v)
			}
		}
	}
	if hi <= 0 && lo == 0 {
		hi = 1
	}
	top0 := hi
	hi += 0.15 * (hi - lo)
	n := len(quarters)
	x := func(i int) float64 {
		if n < 2 {
			return left
		}
		return left + float64(i)*(w-left-right)/float64(n-1)
	}
	y := func(v float64) float64 { return top + (hi-v)/(hi-lo)*(h-top-bottom) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %.0f %.0f" role="img" aria-label="%s by quarter">`, w, h, template.HTMLEscapeString(label))
	if bandMax > bandMin {
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#e8f5e9"/>`, left, y(bandMax), w-left-right, y(bandMin)-y(bandMax))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" fill="#2e7d32" text-anchor="end">healthy %s–%s</text>`, w-right, y(bandMax)-3, format(bandMin), format(bandMax))
	}
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e3e6ee"/>`, left, y(0), w-right, y(0))
	for i, q := range quarters {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" fill="#687085" text-anchor="middle">%s</text>`, x(i), h-8, template.HTMLEscapeString(q))
	}
	for li, l := range lines {
		ink := seriesColors[li%len(seriesColors)]
		var seg []string
		flush := func() {
			if len(seg) > 1 {
				fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.Join(seg, " "), ink)
			}
			seg = nil
		}
		for i, v := range l.values {
			if v == nil {
				flush()
				continue
			}
			seg = append(seg, fmt.Sprintf("%.1f,%.1f", x(i), y(*v)))
			color := ink
			if bandMax > bandMin && (*v < bandMin || *v > bandMax) {
				color = "#c62828"
			}
			name := ""
			if len(lines) > 1 {
				name = l.name + " "
			}
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s%s: %s</title></circle>`, x(i), y(*v), color,
				template.HTMLEscapeString(name), template.HTMLEscapeString(quarters[i]), format(*v))
		}
		flush()
	}
	// The legend is one line of text whose entries follow each other, so that
	// they never overlap, whatever the font size the page gives the chart.
	if len(lines) > 1 {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11">`, left+8, top+5)
		for li, l := range lines {
			gap := ""
			if li > 0 {
				gap = ` dx="2em"`
			}
			fmt.Fprintf(&b, `<tspan fill="%s"%s><tspan font-weight="700">—</tspan> %s</tspan>`,
				seriesColors[li%len(seriesColors)], gap, template.HTMLEscapeString(l.name))
		}
		b.WriteString(`</text>`)
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" fill="#687085" text-anchor="end">%s</text>`, left-6, y(top0)+4, format(top0))
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" fill="#687085" text-anchor="end">%s</text>`, left-6, y(0)+4, format(0))
	if lo < 0 {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" fill="#687085" text-anchor="end">%s</text>`, left-6, y(lo)+4, format(lo))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // #nosec: numbers and escaped labels only
}

// bar is one bar of a barChart.
type bar struct {
	label string
	value float64
}

// maxBarLabel is how many characters of a bar's label a barChart writes:
// a longer one is cut with an ellipsis (the bar's title and the table
// beside the chart keep it whole), so that it stays on the chart however
// large the page sets its text.
const maxBarLabel = 40

// barChart draws figures as SVG horizontal bars, one a row in the order
// given: each label above its bar and the figure at the right edge, where
// the figures line up as in a table. The scale runs from 0, or the lowest
// figure when one is negative, to the highest; a negative figure's bar
// runs left of the zero line, in red. It is drawn narrower than a
// trendChart, to sit beside its table with text of the same size. Like
// trendChart it writes only numbers and labels it escapes.
func barChart(label string, bars []bar, format func(float64) string) template.HTML {
	const w, left, right, top, row, thick = 480.0, 8.0, 64.0, 8.0, 40.0, 14.0
	lo, hi := 0.0, 0.0
	for _, br := range bars {
		lo, hi = min(lo, br.value), max(hi, br.value)
	}
	if hi == lo {
		hi = 1
	}
	h := 2*top + row*float64(len(bars))
	x := func(v float64) float64 { return left + (v-lo)/(hi-lo)*(w-left-right) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, w, h, template.HTMLEscapeString(label))
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#c5cad6"/>`, x(0), top, x(0), h-top)
	for i, br := range bars {
		y := top + float64(i)*row
		name := br.label
		if r := []rune(name); len(r) > maxBarLabel {
			name = string(r[:maxBarLabel-1]) + "…"
		}
		x0, x1, ink := x(0), x(br.value), seriesColors[1]
		if br.value < 0 {
			x0, x1, ink = x1, x0, "#c62828"
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" fill="#1d2330">%s</text>`, left, y+13, template.HTMLEscapeString(name))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect>`,
			x0, y+18, x1-x0, thick, ink, template.HTMLEscapeString(br.label), format(br.value))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" fill="#687085" text-anchor="end">%s</text>`, w-4, y+29, format(br.value))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // #nosec: numbers and escaped labels only
}
