package stats

import (
	"fmt"
	"strings"

	statsmodel "seance/models/stats"
)

// SVGChart is a bar chart laid out on the server, drawn by views/stats/chart.html as an
// SVG image with a text title and description; the table beside it is its alternative.
type SVGChart struct {
	ID      string
	Title   string
	Desc    string
	Width   int
	Height  int
	Bars    []SVGBar
	Ticks   []SVGTick
	Labels  []SVGTick // category labels under the axis
	Legend  []SVGLegend
	BaseY   int
	Plotted bool // at least one bar (masked values draw nothing)
	Rotated bool // the category labels are too long for their slot: drawn slanted
	MinX    int  // left edge of the view box: negative leaves room for the first slanted label
}

// ViewWidth is the width of the view box.
func (c *SVGChart) ViewWidth() int { return c.Width - c.MinX }

// SVGBar is one rectangle with its value as a tooltip.
type SVGBar struct {
	X, Y, W, H int
	Class      string
	Title      string
}

// SVGTick is a label at a position.
type SVGTick struct {
	X, Y  int
	Label string
}

// SVGLegend is one series of the chart.
type SVGLegend struct {
	Class string
	Label string
}

const (
	chartWidth  = 640
	chartHeight = 260
	plotLeft    = 44
	plotTop     = 12
	plotBottom  = 200
)

// buildChart lays out table t's chart; masked values are left out and said so in Desc.
func buildChart(t *statsmodel.Table, min int) *SVGChart {
	if t.Chart == nil {
		return nil
	}
	var rows []statsmodel.Row
	for _, r := range t.Rows {
		if !r.Total {
			rows = append(rows, r)
		}
	}
	ch := &SVGChart{ID: "graphique-" + t.ID, Title: t.Chart.Caption, Width: chartWidth, Height: chartHeight, BaseY: plotBottom}
	for i, s := range t.Chart.Series {
		ch.Legend = append(ch.Legend, SVGLegend{Class: fmt.Sprintf("seance-chart__s%d", i), Label: t.Columns[s]})
	}
	stacked := t.Chart.Kind == "stacked"
	// The largest bar sets the scale.
	top := 0.0
	hidden := 0
	for _, r := range rows {
		sum := 0.0
		for _, s := range t.Chart.Series {
			c := r.Cells[s]
			if c.Hidden() {
				hidden++
				continue
			}
			if stacked {
				sum += c.Value
			} else if c.Value > top {
				top = c.Value
			}
		}
		if sum > top {
			top = sum
		}
	}
	step := niceStep(top)
	axisMax := step * 4
	if axisMax == 0 {
		axisMax = 4
		step = 1
	}
	height := float64(plotBottom - plotTop)
	for k := 0; k <= 4; k++ {
		v := step * float64(k)
		ch.Ticks = append(ch.Ticks, SVGTick{X: plotLeft - 6, Y: plotBottom - int(v/axisMax*height), Label: statsmodel.FormatInt(int64(v))})
	}
	slot := float64(chartWidth-plotLeft-8) / float64(max(1, len(rows)))
	n := len(t.Chart.Series)
	labels := axisLabels(rows)
	fit := int(slot / 6.5) // characters of the tick font that fit in a slot
	for _, l := range labels {
		if len([]rune(l)) > fit {
			ch.Rotated, ch.Height, ch.MinX, fit = true, chartHeight+70, -80, 24
		}
	}
	for i := range rows {
		x0 := plotLeft + int(float64(i)*slot)
		ch.Labels = append(ch.Labels, SVGTick{X: x0 + int(slot/2), Y: plotBottom + 16, Label: shortLabel(labels[i], fit)})
	}
	for i, r := range rows {
		x0 := plotLeft + int(float64(i)*slot)
		base := float64(plotBottom)
		for j, s := range t.Chart.Series {
			c := r.Cells[s]
			title := fmt.Sprintf("%s — %s : %s", r.Label, t.Columns[s], c.Text(min))
			if c.Hidden() || c.Value == 0 {
				continue
			}
			h := c.Value / axisMax * height
			bar := SVGBar{H: max(1, int(h)), Class: fmt.Sprintf("seance-chart__s%d", j), Title: title}
			if stacked {
				bar.W = int(slot * 0.6)
				bar.X = x0 + int(slot*0.2)
				base -= h
				bar.Y = int(base)
			} else {
				w := slot * 0.8 / float64(n)
				bar.W = max(1, int(w)-1)
				bar.X = x0 + int(slot*0.1+w*float64(j))
				bar.Y = plotBottom - bar.H
			}
			ch.Bars = append(ch.Bars, bar)
		}
	}
	ch.Plotted = len(ch.Bars) > 0
	ch.Desc = "Les valeurs exactes figurent dans le tableau qui suit."
	if hidden > 0 {
		ch.Desc = fmt.Sprintf("%d valeur(s) masquée(s) par le secret statistique ne sont pas tracées. ", hidden) + ch.Desc
	}
	return ch
}

// niceStep returns a round step so that 4 steps cover top.
func niceStep(top float64) float64 {
	if top <= 0 {
		return 0
	}
	raw := top / 4
	best := 0.0
	for p := 1.0; p <= 1e9; p *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if m*p >= raw && (best == 0 || m*p < best) {
				best = m * p
			}
		}
	}
	return best
}

// shortLabel keeps an axis label within n characters; the full label is in the table.
func shortLabel(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:max(1, n-1)]) + "…"
}

// monthAbbr abbreviates the French month names of the monthly series.
var monthAbbr = map[string]string{
	"Janvier": "janv.", "Février": "févr.", "Mars": "mars", "Avril": "avr.", "Mai": "mai", "Juin": "juin",
	"Juillet": "juil.", "Août": "août", "Septembre": "sept.", "Octobre": "oct.", "Novembre": "nov.", "Décembre": "déc.",
}

// axisLabels returns the labels of rows for the axis: months abbreviated, and the
// leading words that every label shares ("Association …") left out, so that
// shortened labels still tell the bars apart.
func axisLabels(rows []statsmodel.Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Label
		if a, ok := monthAbbr[r.Label]; ok {
			out[i] = a
		}
	}
	if len(out) < 2 {
		return out
	}
	for {
		word, _, ok := strings.Cut(out[0], " ")
		if !ok {
			return out
		}
		for _, l := range out[1:] {
			if w, _, ok := strings.Cut(l, " "); !ok || w != word {
				return out
			}
		}
		for i := range out {
			out[i] = out[i][len(word)+1:]
		}
	}
}
