// Package redact makes event data safe for every output: the terminal, the
// text and JSON views, the model, transcripts and reports.
//
// Two things happen to text that came from an event:
//
//   - Secrets and personal data are replaced (Secrets, URL, IsSensitiveKey,
//     IsSecretValue, IsPIITag, and JSON for structured values): tokens,
//     API keys, passwords, cookies, card numbers, e-mail addresses, users'
//     IP addresses. What is replaced becomes FilteredMarker ("[Filtered]",
//     as Sentry itself writes) or a typed marker such as "[Filtered: email]".
//     Values already filtered are left as they are, so scrubbing is
//     idempotent.
//   - Terminal control is made visible (Sanitize, SanitizeLine): escape
//     sequences, C0 and C1 control characters, bidi overrides and invalid
//     UTF-8 become text such as \x1b or \u202e.
//
// False positives break investigations, so the free-text scrubber is
// anchored: it replaces a value only when its name says it is secret
// (password=…, "api_key": "…", Authorization: …) or when its shape is
// unambiguous (a JWT, a key with a vendor prefix, a Luhn-valid card number
// with a card prefix, an e-mail address, a private key block). Event, trace
// and span ids, short ids, shas, UUIDs, numbers, paths, SQL placeholders and
// URLs without credentials are not touched.
//
// The package is a leaf: it imports only the standard library, so every
// other package of tracehound can use it.
package redact
