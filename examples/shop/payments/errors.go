package main

import (
	"fmt"
	"runtime"
)

// amountError is an amount that cannot be charged. It keeps the call stack
// of the place that rejected the amount: sentry-go reads it through the
// StackTrace method (the convention of github.com/pkg/errors), so the
// reported stack trace ends in the function that failed rather than in the
// handler that reported the error.
type amountError struct {
	amount string
	err    error
	stack  []uintptr
}

func newAmountError(amount string, err error) *amountError {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(2, pcs) // from newAmountError's caller
	return &amountError{amount: amount, err: err, stack: pcs[:n]}
}

func (e *amountError) Error() string {
	return fmt.Sprintf("amount %q: %v", e.amount, e.err)
}

func (e *amountError) Unwrap() error { return e.err }

// StackTrace returns the program counters of the call stack where the
// error was made, innermost first.
func (e *amountError) StackTrace() []uintptr { return e.stack }
