package interchange

import (
	"bufio"
	"bytes"
	"io"
)

// LineReader reads lines of at most a given length, skipping longer ones
// without holding them in memory, for readers of line-oriented formats.
type LineReader struct {
	br   *bufio.Reader
	max  int
	long []byte // a line longer than br's buffer, assembled
	n    int    // the number of the line last returned
}

// NewLineReader reads lines of at most max bytes from r through a buffer of
// size bytes.
func NewLineReader(r io.Reader, size, max int) *LineReader {
	return &LineReader{br: bufio.NewReaderSize(r, size), max: max}
}

// Line returns the number of the line Next returned last, from 1.
func (lr *LineReader) Line() int { return lr.n }

// Next returns the next line without its line ending, and without the UTF-8
// byte order mark some editors start files with. A line longer than the
// maximum is consumed and reported by tooLong instead. At the end of the
// input Next returns io.EOF; a line cut short by another error is not
// returned.
func (lr *LineReader) Next() (line []byte, tooLong bool, err error) {
	b, err := lr.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		// Room for the maximum and a '\r'; more than that is too long.
		lr.long = append(lr.long[:0], b...)
		for err == bufio.ErrBufferFull && len(lr.long) <= lr.max+1 {
			b, err = lr.br.ReadSlice('\n')
			lr.long = append(lr.long, b...)
		}
		for err == bufio.ErrBufferFull {
			tooLong = true
			_, err = lr.br.ReadSlice('\n')
		}
		b = lr.long
	}
	if err != nil && (err != io.EOF || len(b) == 0) {
		return nil, false, err
	}
	lr.n++
	b = bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r"))
	if tooLong || len(b) > lr.max {
		return nil, true, nil
	}
	if lr.n == 1 {
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	}
	return b, false, nil
}
