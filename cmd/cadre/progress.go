package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"
)

// countingReader counts the bytes read through it, for progress.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// progress draws a progress bar on a terminal; on anything else it does
// nothing, so logs and pipes stay clean.
type progress struct {
	w       io.Writer
	size    int64
	read    *countingReader
	start   time.Time
	records atomic.Int64
	mu      sync.Mutex
	drawn   bool
	done    chan struct{}
	wg      sync.WaitGroup
}

// isTerminal reports whether w is a terminal, where a progress bar belongs.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newProgress starts drawing on w when tty is set; size is the input's size
// in bytes, 0 when unknown.
func newProgress(w io.Writer, tty bool, size int64, read *countingReader) *progress {
	p := &progress{w: w, size: size, read: read, start: time.Now(), done: make(chan struct{})}
	if !tty {
		p.w = nil
		return p
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-t.C:
				p.draw()
			}
		}
	}()
	return p
}

func (p *progress) update(records int) { p.records.Store(int64(records)) }

func (p *progress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	recs := p.records.Load()
	rate := float64(recs) / max(time.Since(p.start).Seconds(), 1e-9)
	line := fmt.Sprintf("%d records  %.0f/s", recs, rate)
	if p.size > 0 {
		frac := min(float64(p.read.n.Load())/float64(p.size), 1)
		const width = 30
		fill := int(frac * width)
		line = fmt.Sprintf("[%s%s] %3.0f%%  %s", strings.Repeat("#", fill), strings.Repeat(" ", width-fill), frac*100, line)
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
	p.drawn = true
}

// clear erases the bar so another line can be printed in its place.
func (p *progress) clear() {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

func (p *progress) stop() {
	if p.w == nil {
		return
	}
	close(p.done)
	p.wg.Wait()
	p.clear()
}
