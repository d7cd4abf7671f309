package github

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file reads JSON the way the mapping needs it. An event is mostly
// text the mapping never reads (a pull request carries two full
// repositories), so instead of decoding with encoding/json, which checks a
// text, scans it again to decode, and copies raw values, the reader checks
// the syntax of a line in one pass while noting where the few values it
// needs lie, and decodes only those. That is several times faster.

// maxDepth bounds the nesting of arrays and objects, as encoding/json does.
const maxDepth = 10_000

type syntaxError struct {
	at  int // the offset of the offending byte
	msg string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at column %d: %s", e.at+1, e.msg)
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipValue checks the syntax of the value that starts at data[i], inside
// depth arrays and objects, and returns its end.
func skipValue(data []byte, i, depth int) (int, error) {
	// The open arrays and objects, innermost last: iteration rather than
	// recursion, so that deep nesting cannot exhaust the stack.
	var open []byte
	for {
		if i >= len(data) {
			return i, &syntaxError{i, "unexpected end of input"}
		}
		var err error
		switch c := data[i]; {
		case c == '{' || c == '[':
			end := byte('}')
			if c == '[' {
				end = ']'
			}
			if depth+len(open) == maxDepth {
				return i, &syntaxError{i, "nested too deeply"}
			}
			i = skipSpace(data, i+1)
			if i < len(data) && data[i] == end {
				i++
				break
			}
			open = append(open, c)
			if c == '{' {
				if i, err = skipKey(data, i); err != nil {
					return i, err
				}
			}
			continue
		case c == '"':
			i, err = skipString(data, i)
		case c == 't':
			i, err = skipLiteral(data, i, "true")
		case c == 'f':
			i, err = skipLiteral(data, i, "false")
		case c == 'n':
			i, err = skipLiteral(data, i, "null")
		case c == '-' || '0' <= c && c <= '9':
			i, err = skipNumber(data, i)
		default:
			return i, &syntaxError{i, fmt.Sprintf("unexpected %s", quoteByte(data, i))}
		}
		if err != nil {
			return i, err
		}
		// A value is complete: close what it completes, up to the next value.
	closing:
		for {
			if len(open) == 0 {
				return i, nil
			}
			i = skipSpace(data, i)
			if i >= len(data) {
				return i, &syntaxError{i, "unexpected end of input"}
			}
			top := open[len(open)-1]
			switch c := data[i]; {
			case c == ',':
				i = skipSpace(data, i+1)
				if top == '{' {
					if i, err = skipKey(data, i); err != nil {
						return i, err
					}
				}
				break closing
			case top == '{' && c == '}' || top == '[' && c == ']':
				open = open[:len(open)-1]
				i++
			case top == '{':
				return i, &syntaxError{i, fmt.Sprintf("expected ',' or '}' after an object member, got %s", quoteByte(data, i))}
			default:
				return i, &syntaxError{i, fmt.Sprintf("expected ',' or ']' after an array element, got %s", quoteByte(data, i))}
			}
		}
	}
}

// skipKey checks an object member's key and colon at data[i] and returns the
// start of its value.
func skipKey(data []byte, i int) (int, error) {
	if i >= len(data) || data[i] != '"' {
		return i, &syntaxError{i, fmt.Sprintf("expected a key, got %s", quoteByte(data, i))}
	}
	i, err := skipString(data, i)
	if err != nil {
		return i, err
	}
	i = skipSpace(data, i)
	if i >= len(data) || data[i] != ':' {
		return i, &syntaxError{i, fmt.Sprintf("expected ':' after a key, got %s", quoteByte(data, i))}
	}
	return skipSpace(data, i+1), nil
}

func skipString(data []byte, i int) (int, error) {
	start := i
	i++
	for {
		// Most of an event is plain text inside strings: pass over it eight
		// bytes at a time.
		for i+8 <= len(data) && !special(binary.LittleEndian.Uint64(data[i:])) {
			i += 8
		}
		if i >= len(data) {
			return len(data), &syntaxError{start, "unterminated string"}
		}
		c := data[i]
		switch {
		case c == '"':
			return i + 1, nil
		case c < 0x20:
			return i, &syntaxError{i, "control character in a string"}
		case c != '\\':
			i++
			continue
		}
		i++ // the escaped character
		if i >= len(data) {
			return len(data), &syntaxError{start, "unterminated string"}
		}
		switch data[i] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		case 'u':
			if i+4 >= len(data) {
				return len(data), &syntaxError{start, "unterminated string"}
			}
			for _, h := range data[i+1 : i+5] {
				if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
					return i, &syntaxError{i, `invalid \u escape in a string`}
				}
			}
			i += 4
		default:
			return i, &syntaxError{i, "invalid escape in a string"}
		}
		i++
	}
}

// special reports whether any of the eight bytes in x is a quote, a backslash
// or a control character, by the zero-byte tests of "Bit Twiddling Hacks".
func special(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote, backslash := x^(ones*'"'), x^(ones*'\\')
	return ((x-ones*0x20)&^x|(quote-ones)&^quote|(backslash-ones)&^backslash)&highs != 0
}

func skipLiteral(data []byte, i int, lit string) (int, error) {
	if !bytes.HasPrefix(data[i:], []byte(lit)) {
		return i, &syntaxError{i, fmt.Sprintf("invalid literal, expected %s", lit)}
	}
	return i + len(lit), nil
}

func skipNumber(data []byte, i int) (int, error) {
	start := i
	digits := func() bool {
		j := i
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		return i > j
	}
	if data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case !digits():
		return i, &syntaxError{start, "invalid number"}
	}
	if i < len(data) && data[i] == '.' {
		i++
		if !digits() {
			return i, &syntaxError{start, "invalid number"}
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if !digits() {
			return i, &syntaxError{start, "invalid number"}
		}
	}
	return i, nil
}

func quoteByte(data []byte, i int) string {
	if i >= len(data) {
		return "the end of input"
	}
	r, _ := utf8.DecodeRune(data[i:])
	return strconv.QuoteRune(r)
}

// members checks the syntax of the object that starts at data[i], calls fn
// with each of its keys and values, and returns its end.
func members(data []byte, i int, fn func(key, value []byte)) (int, error) {
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return i, &syntaxError{i, fmt.Sprintf("expected a key, got %s", quoteByte(data, i))}
		}
		keyStart := i
		var err error
		if i, err = skipString(data, i); err != nil {
			return i, err
		}
		key := data[keyStart+1 : i-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			key = []byte(unquote(data[keyStart:i]))
		}
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != ':' {
			return i, &syntaxError{i, fmt.Sprintf("expected ':' after a key, got %s", quoteByte(data, i))}
		}
		start := skipSpace(data, i+1)
		if i, err = skipValue(data, start, 1); err != nil {
			return i, err
		}
		fn(key, data[start:i])
		i = skipSpace(data, i)
		switch {
		case i >= len(data):
			return i, &syntaxError{i, "unexpected end of input"}
		case data[i] == ',':
			i = skipSpace(data, i+1)
		case data[i] == '}':
			return i + 1, nil
		default:
			return i, &syntaxError{i, fmt.Sprintf("expected ',' or '}' after an object member, got %s", quoteByte(data, i))}
		}
	}
}

// decodeObject checks that data holds one JSON object and calls fn with its
// members. It returns the reason data is not that, or ""; whole names data
// in reasons.
func decodeObject(data []byte, whole string, fn func(key, value []byte)) string {
	i := skipSpace(data, 0)
	if i == len(data) {
		return whole + ": empty"
	}
	var end int
	var err error
	if data[i] == '{' {
		end, err = members(data, i, fn)
	} else {
		end, err = skipValue(data, i, 0)
	}
	if err != nil {
		return err.Error()
	}
	if j := skipSpace(data, end); j < len(data) {
		return (&syntaxError{j, "text after the value"}).Error()
	}
	if data[i] != '{' {
		return fmt.Sprintf("%s: got a JSON %s, want an object", whole, kindOf(data[i:end]))
	}
	return ""
}

// unquote decodes a JSON string, quotes included, whose syntax is known to be
// good. Invalid UTF-8 becomes U+FFFD, as with encoding/json.
func unquote(v []byte) string {
	inner := v[1 : len(v)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		if utf8.Valid(inner) {
			return string(inner)
		}
		return strings.ToValidUTF8(string(inner), "\uFFFD")
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		// Unreachable for a checked string; keep its text rather than lose it.
		return strings.ToValidUTF8(string(inner), "\uFFFD")
	}
	return s
}

// decoder decodes the values the mapping reads, keeping the first reason one
// is of the wrong type.
type decoder struct {
	reason string
}

func (d *decoder) fail(path string, v []byte, want string) {
	if d.reason == "" {
		d.reason = fmt.Sprintf("%s: got a JSON %s, want %s", path, kindOf(v), want)
	}
}

// object calls fn with the members of the object v, which has good syntax,
// and reports whether v is an object; null is no object, and anything else is
// of the wrong type. path names v in reasons.
func (d *decoder) object(v []byte, path string, fn func(key, value []byte)) bool {
	switch v[0] {
	case '{':
	case 'n':
		return false
	default:
		d.fail(path, v, "an object")
		return false
	}
	if _, err := members(v, 0, fn); err != nil && d.reason == "" {
		d.reason = path + ": " + err.Error()
	}
	return true
}

func (d *decoder) str(v []byte, path, key string) string {
	switch v[0] {
	case '"':
		return unquote(v)
	case 'n':
		return ""
	}
	d.fail(join(path, key), v, "a string")
	return ""
}

func (d *decoder) int(v []byte, path, key string) int64 {
	if v[0] == 'n' {
		return 0
	}
	if n, ok := parseInt(v); ok {
		return n
	}
	d.fail(join(path, key), v, "an integer")
	return 0
}

func (d *decoder) bool(v []byte, path, key string) bool {
	switch v[0] {
	case 't':
		return true
	case 'f', 'n':
		return false
	}
	d.fail(join(path, key), v, "a boolean")
	return false
}

// account decodes a user, or returns nil for null.
func (d *decoder) account(v []byte, path string) *account {
	var a account
	if !d.object(v, path, func(key, v []byte) {
		switch string(key) {
		case "login":
			a.Login = d.str(v, path, "login")
		case "id":
			a.ID = d.int(v, path, "id")
		case "type":
			a.Type = d.str(v, path, "type")
		}
	}) {
		return nil
	}
	return &a
}

// parseInt parses a JSON number that is an integer in the range of int64.
func parseInt(v []byte) (int64, bool) {
	digits := v
	if v[0] == '-' {
		digits = v[1:]
	}
	if len(digits) == 0 || len(digits) > 18 {
		n, err := strconv.ParseInt(string(v), 10, 64)
		return n, err == nil
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if v[0] == '-' {
		n = -n
	}
	return n, true
}

// kindOf names the kind of the JSON value v.
func kindOf(v []byte) string {
	switch v[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	if len(v) > 24 {
		return "number"
	}
	return "number " + string(v)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
