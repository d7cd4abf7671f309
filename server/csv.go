package server

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Every list page also comes as CSV, for those who would rather use a
// spreadsheet: the same rows, filtered the same way, all of them rather
// than a page.

// wantsCSV says whether the page is asked for as CSV (?format=csv).
func wantsCSV(r *http.Request) bool { return r.URL.Query().Get("format") == "csv" }

// csvLink is the address of the page's CSV: the same filters, every row.
func csvLink(r *http.Request) string {
	q := r.URL.Query()
	q.Del("offset")
	q.Del("limit")
	q.Set("format", "csv")
	return r.URL.Path + "?" + q.Encode()
}

// writeCSV answers with a CSV file called name.csv. A cell that a
// spreadsheet would take for a formula (it starts with = + - @, a tab or
// a carriage return) is written after an apostrophe, so that a member's
// name never runs as one.
func writeCSV(w http.ResponseWriter, name string, header []string, rows [][]string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, name))
	cw := csv.NewWriter(w)
	_ = cw.Write(header)
	for _, row := range rows {
		for i, c := range row {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				if _, err := strconv.ParseFloat(c, 64); err != nil {
					row[i] = "'" + c
				}
			}
		}
		_ = cw.Write(row) // a client gone away is nothing to tell anyone
	}
	cw.Flush()
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// optFloat is f, or "" for none.
func optFloat(f *float64) string {
	if f == nil {
		return ""
	}
	return ftoa(*f)
}
