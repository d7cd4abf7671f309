package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestProgress(t *testing.T) {
	input := &countingReader{r: strings.NewReader(strings.Repeat("x", 1000))}
	input.Read(make([]byte, 450))

	var quiet bytes.Buffer
	p := newProgress(&quiet, false, 1000, input)
	p.update(10)
	p.stop()
	if quiet.Len() != 0 {
		t.Fatalf("drew on a non-terminal: %q", quiet.String())
	}

	var tty bytes.Buffer
	p = newProgress(&tty, true, 1000, input)
	p.update(4500)
	p.draw()
	drawn := tty.String()
	if !strings.Contains(drawn, "[#############                 ]  45%") || !strings.Contains(drawn, "4500 records") {
		t.Fatalf("bar = %q", drawn)
	}
	p.stop()
	if !strings.HasSuffix(tty.String(), "\r\033[K") {
		t.Fatalf("the bar was not erased at the end: %q", tty.String())
	}
}
