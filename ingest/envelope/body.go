package envelope

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// maxZstdWindow bounds the zstd window (the decoder's history buffer) when
// maxDecompressed is smaller: encoders pick at most 8 MiB up to level 19,
// only "ultra"/long-distance modes ask for more.
const maxZstdWindow = 8 << 20

// ReadBody reads r's body, decoding its Content-Encoding: identity (or
// none), gzip (x-gzip), deflate (zlib-wrapped or raw, both are seen), br
// (brotli) or zstd. It never reads more than maxCompressed bytes of the
// body nor produces more than maxDecompressed bytes, so a decompression
// bomb stops at the limit; a limit ≤ 0 takes DefaultLimits().MaxEnvelope.
//
// Errors wrap ErrTooLarge (a limit was passed, or the body was cut by an
// http.MaxBytesReader), ErrUnsupportedEncoding, or ErrMalformed (a corrupt
// or truncated compressed stream, a body shorter or longer than its
// Content-Length, a failed read).
func ReadBody(r *http.Request, maxCompressed, maxDecompressed int64) ([]byte, error) {
	def := DefaultLimits().MaxEnvelope
	if maxCompressed <= 0 {
		maxCompressed = def
	}
	if maxDecompressed <= 0 {
		maxDecompressed = def
	}
	coding := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding")))
	switch coding {
	case "", "identity", "gzip", "x-gzip", "deflate", "br", "zstd":
	default:
		return nil, fmt.Errorf("%w: %q (want gzip, deflate, br, zstd or identity)", ErrUnsupportedEncoding, coding)
	}
	if r.ContentLength > maxCompressed {
		return nil, fmt.Errorf("%w: Content-Length %d exceeds the limit of %d", ErrTooLarge, r.ContentLength, maxCompressed)
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil, checkLength(r, 0)
	}
	if coding == "" {
		coding = "identity"
	}
	body := &limitedBody{r: r.Body, max: maxCompressed}
	dec, closeDec, decErr := decoder(coding, body)
	var data []byte
	var over bool
	if decErr == nil {
		hint := int64(0)
		if coding == "identity" {
			hint = r.ContentLength
		}
		data, over, decErr = readAtMost(dec, maxDecompressed, hint)
		closeDec()
	}
	if decErr == nil && !over && !body.eof && body.err == nil && !body.over() {
		// The decoder may stop before the end of the body (bytes after a
		// compressed stream); read the rest to check the length.
		_, _ = io.Copy(io.Discard, body)
	}
	switch {
	case body.err != nil:
		var mb *http.MaxBytesError
		if errors.As(body.err, &mb) {
			return nil, fmt.Errorf("%w: body exceeds the server's limit of %d bytes", ErrTooLarge, mb.Limit)
		}
		if errors.Is(body.err, io.ErrUnexpectedEOF) && r.ContentLength > body.n {
			return nil, checkLength(r, body.n)
		}
		return nil, fmt.Errorf("%w: reading body: %v", ErrMalformed, body.err)
	case body.over():
		return nil, fmt.Errorf("%w: body exceeds the limit of %d bytes", ErrTooLarge, maxCompressed)
	case over:
		return nil, fmt.Errorf("%w: %s body decompresses past the limit of %d bytes", ErrTooLarge, coding, maxDecompressed)
	case decErr != nil:
		// A truncated upload shows as a corrupt stream; say so when the
		// body is shorter than announced.
		if err := checkLength(r, body.n); err != nil && body.eof {
			return nil, err
		}
		if decErr == io.EOF {
			decErr = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("%w: %s body: %v", ErrMalformed, coding, decErr)
	}
	if err := checkLength(r, body.n); err != nil {
		return nil, err
	}
	return data, nil
}

// checkLength is the error for a body of n bytes that does not match r's
// Content-Length (nil when it matches or is unknown).
func checkLength(r *http.Request, n int64) error {
	if r.ContentLength < 0 || n == r.ContentLength {
		return nil
	}
	if n < r.ContentLength {
		return fmt.Errorf("%w: body ended after %d of the %d bytes of its Content-Length", ErrMalformed, n, r.ContentLength)
	}
	return fmt.Errorf("%w: body has more than the %d bytes of its Content-Length", ErrMalformed, r.ContentLength)
}

// decoder wraps body in the decompressor for coding. The close function
// releases the decoder's resources.
func decoder(coding string, body io.Reader) (io.Reader, func(), error) {
	nop := func() {}
	switch coding {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, nop, err
		}
		return zr, func() { _ = zr.Close() }, nil
	case "deflate":
		// RFC 9110 deflate is zlib-wrapped, but some clients send raw
		// deflate; a zlib header is two bytes whose first says "deflate,
		// window ≤ 32 KiB" and whose big-endian value is a multiple of 31.
		br := bufio.NewReader(body)
		h, err := br.Peek(2)
		if err != nil && len(h) < 2 {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, nop, err
		}
		if h[0]&0x0f == 8 && h[0]>>4 <= 7 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 {
			zr, err := zlib.NewReader(br)
			if err != nil {
				return nil, nop, err
			}
			return zr, func() { _ = zr.Close() }, nil
		}
		fr := flate.NewReader(br)
		return fr, func() { _ = fr.Close() }, nil
	case "br":
		return brotli.NewReader(body), nop, nil
	case "zstd":
		zr, err := zstd.NewReader(body,
			zstd.WithDecoderConcurrency(1), // no goroutines, no read-ahead
			zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxWindow(maxZstdWindow))
		if err != nil {
			return nil, nop, err
		}
		return zr, zr.Close, nil
	}
	return body, nop, nil
}

// limitedBody reads at most max+1 bytes of r, counts them, and keeps the
// first read error other than io.EOF: decompressors may wrap or replace the
// errors of the reader under them, so ReadBody judges by this state.
type limitedBody struct {
	r   io.Reader
	max int64
	n   int64
	eof bool
	err error
}

var errBodyLimit = errors.New("body limit reached")

func (b *limitedBody) over() bool { return b.n > b.max }

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.over() {
		return 0, errBodyLimit
	}
	if b.err != nil {
		return 0, b.err
	}
	if b.eof {
		return 0, io.EOF
	}
	if left := b.max + 1 - b.n; int64(len(p)) > left {
		p = p[:left]
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	switch {
	case err == io.EOF:
		b.eof = true
	case err != nil:
		b.err = err
	case b.over():
		err = errBodyLimit
	}
	return n, err
}

// readAtMost reads r to its end, unless it yields more than max bytes, in
// which case it stops having read max+1 and reports over. It never holds
// more than max+1 bytes. hint, when positive, is the expected size.
func readAtMost(r io.Reader, max, hint int64) (data []byte, over bool, err error) {
	size := int64(4096)
	if hint > 0 {
		size = hint + 1 // +1 to see the end without growing
	}
	buf := make([]byte, 0, min(size, max+1))
	for {
		if len(buf) == cap(buf) {
			grown := min(2*int64(cap(buf)), max+1)
			nb := make([]byte, len(buf), grown)
			copy(nb, buf)
			buf = nb
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > max {
			return nil, true, nil
		}
		if err == io.EOF {
			return buf, false, nil
		}
		if err != nil {
			return nil, false, err
		}
	}
}
