package envelope

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// sampleEnvelope is an envelope of about 100 KiB that compresses well.
func sampleEnvelope() []byte {
	var b bytes.Buffer
	b.WriteString(`{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}` + "\n")
	for i := range 200 {
		p := fmt.Sprintf(`{"span_id":"%016x","op":"db.query","description":"SELECT * FROM t WHERE id = %d","data":{"x":%q}}`, i, i, strings.Repeat("ab", i))
		fmt.Fprintf(&b, "{\"type\":\"span\",\"length\":%d}\n%s\n", len(p), p)
	}
	return b.Bytes()
}

func gzipped(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	write(t, w, data)
	return b.Bytes()
}

func write(t testing.TB, w io.WriteCloser, data []byte) {
	t.Helper()
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func zstdFrame(t testing.TB, data []byte) []byte {
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	return enc.EncodeAll(data, nil)
}

// encoders compress data for each Content-Encoding.
var encoders = map[string]func(testing.TB, []byte) []byte{
	"gzip": gzipped,
	"deflate": func(t testing.TB, data []byte) []byte { // zlib-wrapped
		var b bytes.Buffer
		write(t, zlib.NewWriter(&b), data)
		return b.Bytes()
	},
	"deflate-raw": func(t testing.TB, data []byte) []byte { // sent as "deflate"
		var b bytes.Buffer
		w, err := flate.NewWriter(&b, flate.DefaultCompression)
		if err != nil {
			t.Fatal(err)
		}
		write(t, w, data)
		return b.Bytes()
	},
	"br": func(t testing.TB, data []byte) []byte {
		var b bytes.Buffer
		write(t, brotli.NewWriter(&b), data)
		return b.Bytes()
	},
	"zstd": zstdFrame,
}

// request is a POST of body with the given Content-Encoding; its
// ContentLength is len(body).
func request(body []byte, encoding string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/api/1/envelope/", bytes.NewReader(body))
	if encoding != "" {
		r.Header.Set("Content-Encoding", encoding)
	}
	return r
}

func TestReadBodyRoundTrip(t *testing.T) {
	want := sampleEnvelope()
	cases := []struct{ name, header, encoder string }{
		{"none", "", ""},
		{"identity", "identity", ""},
		{"gzip", "gzip", "gzip"},
		{"x-gzip", "x-gzip", "gzip"},
		{"GZIP upper case", " GZIP ", "gzip"},
		{"deflate zlib", "deflate", "deflate"},
		{"deflate raw", "deflate", "deflate-raw"},
		{"br", "br", "br"},
		{"zstd", "zstd", "zstd"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := want
			if c.encoder != "" {
				body = encoders[c.encoder](t, want)
				if len(body) >= len(want)/2 {
					t.Fatalf("%s did not compress: %d bytes", c.encoder, len(body))
				}
			}
			got, err := ReadBody(request(body, c.header), 1<<20, 1<<20)
			if err != nil {
				t.Fatalf("ReadBody: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("got %d bytes, want %d", len(got), len(want))
			}
			env, err := Parse(got, DefaultLimits())
			if err != nil || len(env.Items) != 200 {
				t.Fatalf("Parse: %v", err)
			}
		})
	}
}

func TestReadBodyBombs(t *testing.T) {
	mib := make([]byte, 1<<20)
	repeat := func(b []byte, n int) []byte { return bytes.Repeat(b, n) }
	cases := []struct {
		name, encoding string
		body           []byte
		inflated       int64
	}{
		// Concatenated gzip members and zstd frames are one stream each:
		// 1024 copies of 1 MiB of zeros make a 1 GiB bomb of ~1 MiB.
		{"gzip 1 GiB", "gzip", repeat(gzipped(t, mib), 1024), 1 << 30},
		{"zstd 1 GiB", "zstd", repeat(zstdFrame(t, mib), 1024), 1 << 30},
		{"deflate 64 MiB", "deflate", encoders["deflate"](t, make([]byte, 64<<20)), 64 << 20},
		{"br 16 MiB", "br", encoders["br"](t, make([]byte, 16<<20)), 16 << 20},
	}
	const limit = 4 << 20
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Logf("%d compressed bytes inflate to %d", len(c.body), c.inflated)
			var err error
			alloc := allocated(func() {
				_, err = ReadBody(request(c.body, c.encoding), 10<<20, limit)
			})
			want := fmt.Sprintf("too large: %s body decompresses past the limit of %d bytes", c.encoding, limit)
			if !errors.Is(err, ErrTooLarge) || err.Error() != want {
				t.Fatalf("err = %v, want %q", err, want)
			}
			// The output buffer (at most limit+1 bytes, grown by doubling)
			// and the decoder's window, not the inflated size.
			t.Logf("allocated %d KiB", alloc>>10)
			if alloc > 4*limit+16<<20 {
				t.Errorf("allocated %d MiB for a %d MiB limit", alloc>>20, limit>>20)
			}
		})
	}
}

func TestReadBodyErrors(t *testing.T) {
	env := sampleEnvelope()
	gz := gzipped(t, env)
	cases := []struct {
		name string
		req  func() *http.Request
		max  int64 // both limits; 0 for 1 MiB
		is   error
		want string // exact message, or a prefix ending in "…"
	}{
		{"unknown encoding", func() *http.Request { return request(env, "compress") }, 0,
			ErrUnsupportedEncoding, `unsupported content encoding: "compress" (want gzip, deflate, br, zstd or identity)`},
		{"two encodings", func() *http.Request { return request(env, "gzip, br") }, 0,
			ErrUnsupportedEncoding, `unsupported content encoding: "gzip, br" (want gzip, deflate, br, zstd or identity)`},
		{"truncated gzip", func() *http.Request { return request(gz[:len(gz)/2], "gzip") }, 0,
			ErrMalformed, "malformed: gzip body: unexpected EOF"},
		{"gzip without its trailer", func() *http.Request { return request(gz[:len(gz)-4], "gzip") }, 0,
			ErrMalformed, "malformed: gzip body: unexpected EOF"},
		{"gzip bad checksum", func() *http.Request {
			b := bytes.Clone(gz)
			b[len(b)-5] ^= 0xff
			return request(b, "gzip")
		}, 0, ErrMalformed, "malformed: gzip body: gzip: invalid checksum"},
		{"not gzip", func() *http.Request { return request(env, "gzip") }, 0,
			ErrMalformed, "malformed: gzip body: gzip: invalid header"},
		{"empty gzip", func() *http.Request { return request(nil, "gzip") }, 0,
			ErrMalformed, "malformed: gzip body: unexpected EOF"},
		{"not deflate", func() *http.Request { return request([]byte("\xff\xff\xff\xff"), "deflate") }, 0,
			ErrMalformed, "malformed: deflate body: flate: corrupt input before offset 1"},
		{"one byte of deflate", func() *http.Request { return request([]byte("x"), "deflate") }, 0,
			ErrMalformed, "malformed: deflate body: unexpected EOF"},
		{"not brotli", func() *http.Request { return request(env, "br") }, 0,
			ErrMalformed, "malformed: br body: …"},
		{"not zstd", func() *http.Request { return request(env, "zstd") }, 0,
			ErrMalformed, "malformed: zstd body: invalid input: magic number mismatch"},
		{"gzip with trailing garbage", func() *http.Request { return request(append(bytes.Clone(gz), "junk after the stream"...), "gzip") }, 0,
			ErrMalformed, "malformed: gzip body: gzip: invalid header"},
		{"short body", func() *http.Request {
			r := request(env[:100], "")
			r.ContentLength = 5000
			return r
		}, 0, ErrMalformed, "malformed: body ended after 100 of the 5000 bytes of its Content-Length"},
		{"short gzip body", func() *http.Request {
			r := request(gz[:len(gz)/2], "gzip")
			r.ContentLength = int64(len(gz))
			return r
		}, 0, ErrMalformed, fmt.Sprintf("malformed: body ended after %d of the %d bytes of its Content-Length", len(gz)/2, len(gz))},
		{"long body", func() *http.Request {
			r := request(env, "")
			r.ContentLength = 100
			return r
		}, 0, ErrMalformed, "malformed: body has more than the 100 bytes of its Content-Length"},
		{"long gzip body", func() *http.Request {
			r := request(gz, "gzip")
			r.ContentLength = 100
			return r
		}, 0, ErrMalformed, "malformed: body has more than the 100 bytes of its Content-Length"},
		{"Content-Length over the limit", func() *http.Request {
			r := request(nil, "")
			r.Body = io.NopCloser(failReader{t})
			r.ContentLength = 2 << 20
			return r
		}, 0, ErrTooLarge, "too large: Content-Length 2097152 exceeds the limit of 1048576"},
		{"chunked body over the limit", func() *http.Request {
			r := request(env, "")
			r.ContentLength = -1
			return r
		}, 1000, ErrTooLarge, "too large: body exceeds the limit of 1000 bytes"},
		{"compressed body over the limit", func() *http.Request {
			r := request(gz, "gzip")
			r.ContentLength = -1
			return r
		}, 1000, ErrTooLarge, "too large: body exceeds the limit of 1000 bytes"},
		{"http.MaxBytesReader", func() *http.Request {
			r := request(env, "")
			r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 1000)
			r.ContentLength = -1
			return r
		}, 0, ErrTooLarge, "too large: body exceeds the server's limit of 1000 bytes"},
		{"read error", func() *http.Request {
			r := request(nil, "")
			r.Body = io.NopCloser(io.MultiReader(strings.NewReader("{}"), errReader{}))
			r.ContentLength = -1
			return r
		}, 0, ErrMalformed, "malformed: reading body: connection reset"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			max := c.max
			if max == 0 {
				max = 1 << 20
			}
			got, err := ReadBody(c.req(), max, max)
			if err == nil {
				t.Fatalf("ReadBody = %d bytes, want error %q", len(got), c.want)
			}
			if !errors.Is(err, c.is) {
				t.Errorf("error %v does not wrap %v", err, c.is)
			}
			if prefix, ok := strings.CutSuffix(c.want, "…"); ok {
				if !strings.HasPrefix(err.Error(), prefix) {
					t.Errorf("error = %q, want %q", err, c.want)
				}
			} else if err.Error() != c.want {
				t.Errorf("error = %q\n     want %q", err, c.want)
			}
		})
	}
}

type failReader struct{ t *testing.T }

func (f failReader) Read([]byte) (int, error) {
	f.t.Error("the body was read")
	return 0, io.EOF
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestReadBodyLimits(t *testing.T) {
	env := sampleEnvelope()
	n := int64(len(env))
	// Exactly at both limits.
	if got, err := ReadBody(request(env, ""), n, n); err != nil || !bytes.Equal(got, env) {
		t.Errorf("at the limits: %d bytes, %v", len(got), err)
	}
	// Identity bodies are bounded by the smaller limit.
	_, err := ReadBody(request(env, ""), 2*n, n-1)
	if want := fmt.Sprintf("too large: identity body decompresses past the limit of %d bytes", n-1); err == nil || err.Error() != want {
		t.Errorf("identity over maxDecompressed: %v", err)
	}
	// A gzip body within maxCompressed whose content is over maxDecompressed.
	gz := gzipped(t, env)
	if _, err := ReadBody(request(gz, "gzip"), n, n-1); !errors.Is(err, ErrTooLarge) {
		t.Errorf("gzip over maxDecompressed: %v", err)
	}
	if got, err := ReadBody(request(gz, "gzip"), int64(len(gz)), n); err != nil || !bytes.Equal(got, env) {
		t.Errorf("gzip at the limits: %d bytes, %v", len(got), err)
	}
	// No body.
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	if got, err := ReadBody(r, 0, 0); err != nil || len(got) != 0 {
		t.Errorf("no body: %q, %v", got, err)
	}
}

// TestReadBodyShortUpload sends a request over TCP whose body stops before
// its Content-Length: net/http reports io.ErrUnexpectedEOF.
func TestReadBodyShortUpload(t *testing.T) {
	errc := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := ReadBody(r, 1<<20, 1<<20)
		errc <- err
		w.WriteHeader(HTTPStatus(err))
	}))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/1/envelope/ HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{}\n{\"type\":\"event\"}\n")
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		want := "malformed: body ended after 20 of the 500 bytes of its Content-Length"
		if err == nil || err.Error() != want || HTTPStatus(err) != http.StatusBadRequest {
			t.Errorf("err = %v, want %q", err, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("handler did not return")
	}
	_, _ = bufio.NewReader(conn).ReadString('\n')
}
