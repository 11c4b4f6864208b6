package tracetree

import (
	"sync"
	"unicode/utf8"

	"github.com/tiktoken-go/tokenizer"
)

// The token counter uses the o200k_base encoding (GPT-4o and later), whose
// ranks ship inside the tokenizer module: nothing is downloaded at run time.
// Other models' tokenizers differ by a few percent; budgets leave room for it.
var codec = sync.OnceValue(func() tokenizer.Codec {
	c, err := tokenizer.Get(tokenizer.O200kBase)
	if err != nil {
		return nil
	}
	return c
})

// CountTokens returns the number of model tokens in s. Should the encoding
// ever fail to load, it falls back to a conservative estimate (one token per
// three bytes) rather than failing.
func CountTokens(s string) int {
	if s == "" {
		return 0
	}
	if c := codec(); c != nil {
		if n, err := c.Count(s); err == nil {
			return n
		}
	}
	return (len(s) + 2) / 3
}

// estimateTokens is a fast upper-bound-ish estimate used to order work
// before exact counting: box-drawing characters are a token each, ASCII
// text about four bytes a token.
func estimateTokens(s string) int {
	runes := utf8.RuneCountInString(s)
	nonASCII := runes - asciiCount(s)
	return (len(s)-3*nonASCII)/4 + nonASCII + 1
}

func asciiCount(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < 0x80 {
			n++
		}
	}
	return n
}
