package bench

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// Point is one run of a sweep: a concurrency and what it gave.
type Point struct {
	Concurrency int     `json:"concurrency"`
	Throughput  float64 `json:"throughput_rps"` // 2xx answers per second
	Errors      float64 `json:"errors_rps"`     // other answers per second (503 past the hash queue)
	P99         float64 `json:"p99_ms"`
}

// Sweep is a scenario run at several concurrencies.
type Sweep struct {
	Scenario string   `json:"scenario"`
	Points   []Point  `json:"points"`
	Runs     []Result `json:"runs"`
}

const (
	panelW, panelH                     = 360, 240
	marginL, marginB, marginT, marginR = 60, 40, 30, 20
)

// WriteSVG draws the sweep as two panels side by side: throughput and p99
// latency against concurrency (log₂ axis), hand-written SVG.
func WriteSVG(w io.Writer, s Sweep, subtitle string) error {
	var b strings.Builder
	width := 2 * (panelW + marginL + marginR)
	height := panelH + marginT + marginB + 24
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">`+"\n", width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="16" font-size="13" font-weight="bold">%s</text><text x="10" y="%d" fill="#555">%s</text>`+"\n",
		html.EscapeString(s.Scenario), height-6, html.EscapeString(subtitle))
	tp := make([]float64, len(s.Points))
	errs := make([]float64, len(s.Points))
	p99 := make([]float64, len(s.Points))
	conc := make([]int, len(s.Points))
	anyErr := false
	for i, p := range s.Points {
		tp[i], errs[i], p99[i], conc[i] = p.Throughput, p.Errors, p.P99, p.Concurrency
		anyErr = anyErr || p.Errors > 0
	}
	series := []line{{tp, "#1f77b4", "2xx/s"}}
	if anyErr {
		series = append(series, line{errs, "#ff7f0e", "errors/s"})
	}
	panel(&b, 0, "throughput (req/s)", conc, series)
	panel(&b, panelW+marginL+marginR, "p99 latency (ms)", conc, []line{{p99, "#d62728", ""}})
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// line is one series of a panel.
type line struct {
	ys    []float64
	color string
	name  string // legend; empty for none
}

// panel draws one chart with its origin offset x0 pixels to the right.
func panel(b *strings.Builder, x0 int, title string, conc []int, series []line) {
	left, top := x0+marginL, marginT
	bottom := top + panelH
	var all []float64
	for _, l := range series {
		all = append(all, l.ys...)
	}
	ymax := niceCeil(maxOf(all))
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle" font-weight="bold">%s</text>`+"\n", left+panelW/2, top-8, title)
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>`+"\n", left, top, panelW, panelH)
	for i := 0; i <= 4; i++ { // horizontal grid and y labels
		y := bottom - i*panelH/4
		fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#eee"/>`, left, y, left+panelW, y)
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", left-4, y+4, label(ymax*float64(i)/4))
	}
	xs := func(c int) float64 { // log₂ scale over the concurrencies
		lo, hi := math.Log2(float64(conc[0])), math.Log2(float64(conc[len(conc)-1]))
		if hi == lo {
			return float64(left + panelW/2)
		}
		return float64(left) + (math.Log2(float64(c))-lo)/(hi-lo)*panelW
	}
	for _, c := range conc {
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%d</text>`+"\n", xs(c), bottom+14, c)
	}
	for k, l := range series {
		var pts []string
		for i, c := range conc {
			x, y := xs(c), float64(bottom)-l.ys[i]/ymax*panelH
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
			fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`, x, y, l.color)
		}
		fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", strings.Join(pts, " "), l.color)
		if l.name != "" {
			fmt.Fprintf(b, `<text x="%d" y="%d" fill="%s">%s</text>`+"\n", left+6, top+14+14*k, l.color, html.EscapeString(l.name))
		}
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle">concurrency</text>`+"\n", left+panelW/2, bottom+30)
}

func maxOf(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten, for axis labels.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func label(v float64) string {
	if v >= 100 || v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2g", v)
}
